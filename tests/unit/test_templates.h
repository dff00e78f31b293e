/*
 * The fixture of the unit tests that render customer-facing text from the
 * embedded templates (refundsd/comm_message_test.c, refundsd/tracking_view_test.c):
 * an arena and the compiled templates for each test, the error they report
 * into, and at(), a protobuf timestamp from RFC 3339 text in that arena.
 * Header-only, for one test file each: the state is the including file's.
 * Use setup and teardown as TestSuite(..., .init = setup, .fini = teardown).
 */
#ifndef REFUNDS_TEST_TEMPLATES_H
#define REFUNDS_TEST_TEMPLATES_H

#include <criterion/criterion.h>

#include "refunds/arena.h"
#include "refunds/render.h"
#include "test_pb.h"
#include "test_time.h"

static struct rf_arena *arena;
static struct rf_templates *templates;
static struct rf_error err;

static inline void setup(void)
{
    arena = rf_arena_create(0);
    rf_error_clear(&err);
    cr_assert_eq(
        rf_templates_create(rf_template_sources, rf_template_sources_count, &templates, &err),
        RF_OK, "%s", err.message);
}

static inline void teardown(void)
{
    rf_templates_destroy(templates);
    rf_arena_destroy(arena);
}

/* The instant text names, as a timestamp in the test's arena. */
static inline Google__Protobuf__Timestamp *at(const char *text)
{
    int64_t us = test_at(text);

    return test_timestamp(arena, us / 1000000, (int32_t)(us % 1000000) * 1000);
}

#endif
