/*
 * Buffered byte input for the streaming readers (csv.c, json_stream.c): a
 * FILE read in large blocks, a UTF-8 byte order mark at the very start
 * skipped, and inline peek/get. Embedded in its reader (rf_input_init), not
 * allocated. Knows nothing of lines or syntax.
 */
#ifndef REFUNDS_PSP_LOAD_INPUT_H
#define REFUNDS_PSP_LOAD_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct rf_input {
    FILE *f;
    unsigned char *buf; /* size bytes, the caller's */
    size_t size, len, pos;
    bool started, eof;
    bool error; /* reading f failed (errno says why); the input then ends */
};

/* Starts reading f (not owned) into buf, which must outlive the input. */
void rf_input_init(struct rf_input *in, FILE *f, unsigned char *buf, size_t size);

/*
 * Reads the next block when the buffer is used up; false at the end of the
 * input (in->error tells a read error from the end of the file).
 */
bool rf_input_refill(struct rf_input *in);

/* The next byte without consuming it, or -1 at the end. */
static inline int rf_input_peek(struct rf_input *in)
{
    if (in->pos == in->len && !rf_input_refill(in))
        return -1;
    return in->buf[in->pos];
}

/* The next byte, consumed, or -1 at the end. */
static inline int rf_input_get(struct rf_input *in)
{
    if (in->pos == in->len && !rf_input_refill(in))
        return -1;
    return in->buf[in->pos++];
}

#endif
