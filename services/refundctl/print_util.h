/*
 * The pieces of refundctl's human output that every printer uses: text from
 * the server with control characters neutralised (so that a case cannot drive
 * the user's terminal), labelled rows, aligned tables, enum values as the
 * command line spells them, times and amounts. print.c and print_money.c are
 * the printers.
 */
#ifndef REFUNDS_PRINT_UTIL_H
#define REFUNDS_PRINT_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <protobuf-c/protobuf-c.h>

#include "google/protobuf/timestamp.pb-c.h"
#include "refunds/arena.h"
#include "refunds/v1/common.pb-c.h"

#define PR_LABEL_WIDTH 17
#define PR_COLS_MAX    16

/* Is p a control character (C0, DEL, a C1 or bidirectional control in UTF-8)? Its length, or 0. */
size_t pr_control_len(const unsigned char *p);

/* Writes s with controls neutralised; a newline starts a line indented by indent columns. */
void pr_text(FILE *out, const char *s, int indent);

/* A one-line copy of s in the arena, controls (newlines too) turned into spaces or '?'. */
char *pr_one_line(struct rf_arena *a, const char *s);

/* Columns s takes on a terminal, counted as UTF-8 code points. */
size_t pr_width(const char *s);

/* The command-line spelling of value in desc ("pending-approval"), "-" for 0. */
const char *pr_word(struct rf_arena *a, const ProtobufCEnumDescriptor *desc, int value);

/* ts in RFC 3339 to the second, or "-" when unset or out of range. */
const char *pr_when(struct rf_arena *a, const Google__Protobuf__Timestamp *ts);

/* "EUR 19.99", or "-" for none. */
const char *pr_money(struct rf_arena *a, const Refunds__V1__Money *m);

bool pr_empty(const char *s);

/* One "Label            value" line of a block; nothing when value is empty. */
void pr_row(FILE *out, const char *label, const char *value);

/* An aligned table of ncols columns (head) and nrows rows of one-line cells. */
void pr_table(FILE *out, const char *const *head, const bool *right, size_t ncols,
              const char *const *cells, size_t nrows);

/* "Next page: --page-token T" when there is one. */
void pr_next_page(FILE *out, struct rf_arena *a, const char *token);

#endif
