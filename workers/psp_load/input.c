/*
 * Block reads and the byte order mark (see input.h). The inline accessors
 * are in the header; only the slow path lives here.
 */
#include "input.h"

void rf_input_init(struct rf_input *in, FILE *f, unsigned char *buf, size_t size)
{
    in->f = f;
    in->buf = buf;
    in->size = size;
    in->len = in->pos = 0;
    in->started = in->eof = in->error = false;
}

bool rf_input_refill(struct rf_input *in)
{
    for (;;) {
        if (in->eof)
            return false;
        in->len = fread(in->buf, 1, in->size, in->f);
        in->pos = 0;
        if (in->len == 0) {
            in->eof = true;
            in->error = ferror(in->f) != 0;
            return false;
        }
        if (!in->started) {
            in->started = true;
            if (in->len >= 3 && in->buf[0] == 0xEF && in->buf[1] == 0xBB && in->buf[2] == 0xBF)
                in->pos = 3;
        }
        if (in->pos < in->len)
            return true;
    }
}
