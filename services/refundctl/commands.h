/*
 * The sub-commands of refundctl as data: for each, the RPC it makes and its
 * flags, each flag naming the request field it fills. main.c parses the
 * command line against this table, so a new flag or command is a table
 * entry, and the usage text is generated from it.
 */
#ifndef REFUNDS_COMMANDS_H
#define REFUNDS_COMMANDS_H

#include <stdbool.h>
#include <stddef.h>

#include <protobuf-c/protobuf-c.h>

enum rf_flag_kind {
    RF_FLAG_FIELD, /* --flag VALUE: parse VALUE into the request field(s) at path */
    RF_FLAG_CONST, /* --flag: set the field at path to value (e.g. --approve) */
    RF_FLAG_ALL,   /* --all: follow next_page_token until the last page */
    RF_FLAG_CSV,   /* --csv: a streaming command's rows as CSV */
};

struct rf_flag {
    const char *name; /* without the leading "--" */
    enum rf_flag_kind kind;
    const char *path;    /* request field path; a comma-separated list fills several */
    const char *value;   /* RF_FLAG_CONST: the text set into path */
    const char *metavar; /* RF_FLAG_FIELD: what VALUE is, for the usage */
    bool optional;       /* shown in brackets in the usage; the server decides what is required */
    const char *help;
    /* RF_FLAG_FIELD: VALUE is a comma-separated list, each item appended to the repeated field. */
    bool split;
    /*
     * Other fields the flag sets when given, "path=value,path=value"
     * (--store-credit implies decision=offer-alternative): a flag that sets
     * what another given flag sets is a usage error.
     */
    const char *implies;
};

struct rf_command {
    const char *name; /* one word, or two for a group ("findings list") */
    const char
        *operand; /* "NAME" when the command takes a resource name (field "name"), else NULL */
    const ProtobufCServiceDescriptor *service;
    const char *method;
    const char *help;
    const struct rf_flag *flags; /* ends with an entry whose name is NULL */
    /* What a bare UUID operand names ("runs" gives runs/<uuid>); NULL: "cases". */
    const char *collection;
    /*
     * The request fields the operands fill, in order, comma-separated: a
     * field ending in '?' is optional, one starting with '@' takes the
     * contents of the file the operand names ("@document"). NULL: the one
     * NAME operand fills "name".
     */
    const char *operand_fields;
};

/* Every command, in the order the usage lists them. */
extern const struct rf_command rf_commands[];
extern const size_t rf_commands_count;

#endif
