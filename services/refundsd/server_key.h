/*
 * The server's master key (REFUNDS_SERVER_KEY_FILE), from which the keys
 * that sign what refundsd hands out are derived (rf_key_derive: customers'
 * tracking tokens, audit checkpoints). Read once at start.
 */
#ifndef REFUNDS_SERVER_KEY_H
#define REFUNDS_SERVER_KEY_H

#include <stdbool.h>
#include <stdint.h>

#include "refunds/crypto.h"
#include "refunds/status.h"

/*
 * Reads the key from path: 64 hex digits (32 bytes), white space around them
 * allowed. With path NULL, makes a random key for this process (*ephemeral set):
 * what it signed does not survive a restart, which suits a test, not production.
 * INVALID_ARGUMENT naming the file when it is not a key, NOT_FOUND when unreadable.
 */
enum rf_code rf_server_key_load(const char *path, uint8_t key[RF_KEY_LEN], bool *ephemeral,
                                struct rf_error *err);

#endif
