/*
 * SQL of the outbox (table communications, migration 0008) and of the
 * alternative a denied customer accepted (accepted_alternatives): recording a
 * decision message, the delivery system's queue and reports, the latest offer
 * a case's messages made, the acceptance, and what a full read of a case
 * shows of them (Case.communications, Case.accepted_alternative). Every
 * statement that writes is shaped like every case change (case_store.h: the
 * case updated only if it still has the version and state read, its own
 * rows, its audit event), because the case shows what it writes. Not for
 * rendering messages (comm_message.h) or deciding what may be written
 * (communication.c).
 */
#ifndef REFUNDS_COMM_STORE_H
#define REFUNDS_COMM_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "case_store.h"
#include "comm_message.h"
#include "refunds/ctx.h"
#include "refunds/v1/cases.pb-c.h"

/* A message as read, with what the handlers need beyond its API view. */
struct rf_comm_row {
    Refunds__V1__Communication *pb;
    char id[RF_UUID_TEXT_LEN + 1];
    char case_id[RF_UUID_TEXT_LEN + 1];
    int seq;
    struct rf_comm_offer offer; /* what it offered: nothing unless a denial's */
};

/* What RecordCommunication stores. */
struct rf_comm_new {
    const char *id;      /* a new UUID */
    const char *channel; /* as stored: "EMAIL", "SMS", "PHONE_SCRIPT", "LETTER" */
    const char *recipient;
    const struct rf_comm_message *msg;
    const struct rf_comm_offer *offer; /* nothing offered: not a denial */
    bool sent;                         /* recorded SENT at once (a phone script, said already) */
};

/*
 * Records message m on the case ch changes (its state to ch->to) as the case's
 * next message (the highest seq of the case, seen by a read of it afterwards
 * in the same transaction), QUEUED, or SENT by ctx's actor when m->sent.
 * *applied is false when the case no longer had the version and state read.
 */
enum rf_code rf_comm_store_record(struct rf_ctx *ctx, const struct rf_case_change *ch,
                                  const struct rf_comm_new *m, bool *applied);

/* Message seq of case case_id, with its body; NOT_FOUND naming it when there is none. */
enum rf_code rf_comm_store_get(struct rf_ctx *ctx, const char *case_id, int seq,
                               struct rf_comm_row *out);

/* Which messages ListOutbox lists. */
struct rf_outbox_filter {
    const char *status;  /* "QUEUED", "SENT" or "FAILED" */
    const char *channel; /* NULL: every channel */
    const char *case_id; /* NULL: every case */
    /* Keyset cursor: only messages after (after_us, after_id); NULL id for the start. */
    int64_t after_us;
    const char *after_id;
    int limit;
};

/* The messages f selects, oldest first, with their bodies: *out an arena array of *n. */
enum rf_code rf_comm_store_outbox(struct rf_ctx *ctx, const struct rf_outbox_filter *f,
                                  struct rf_comm_row **out, size_t *n);

/*
 * Sets message row's status ("SENT" or "FAILED", with failure_reason, and
 * the delivery system's provider_message_id when not empty) as reported by
 * ctx's actor at ctx's time, on the case ch changes. *applied as for every
 * change.
 */
enum rf_code rf_comm_store_set_status(struct rf_ctx *ctx, const struct rf_case_change *ch,
                                      const struct rf_comm_row *row, const char *status,
                                      const char *failure_reason, const char *provider_message_id,
                                      bool *applied);

/*
 * The latest message of case case_id that offered alternatives and was not
 * reported FAILED, into out; *found false when there is none.
 */
enum rf_code rf_comm_store_latest_offer(struct rf_ctx *ctx, const char *case_id,
                                        struct rf_comm_row *out, bool *found);

/* What AcceptAlternative records. */
struct rf_comm_acceptance {
    const struct rf_comm_row *offered_in; /* the message that offered it */
    Refunds__V1__Alternative alternative;
    int64_t amount_minor;   /* store credit or voucher; 0 for the others */
    const char *product;    /* exchange or repair; NULL for the others */
    int64_t spend_until_us; /* store credit; 0 for the others */
    const char *note;
};

/*
 * Records acceptance on the case ch changes, by ctx's actor at ctx's time. A
 * case accepts one alternative: a second is ALREADY_EXISTS. *applied as for
 * every change.
 */
enum rf_code rf_comm_store_accept(struct rf_ctx *ctx, const struct rf_case_change *ch,
                                  const struct rf_comm_acceptance *acc, bool *applied);

/*
 * Sets m's offers and offer_valid_until to what o offers (none when o offers
 * nothing), in the arena a.
 */
void rf_comm_offer_to_pb(struct rf_arena *a, const struct rf_comm_offer *o,
                         Refunds__V1__Communication *m);

/*
 * Fills c (the case case_id as read) with its messages, oldest first and
 * without bodies (communications), and the alternative it accepted, if any.
 */
enum rf_code rf_comm_store_fill_case(struct rf_ctx *ctx, const char *case_id, Refunds__V1__Case *c);

/* Every statement of comm_store.c, NULL-terminated, for the statement registry
 * (store_statements.h): static storage, never freed. */
const struct rf_stmt *const *rf_comm_store_statements(void);

#endif
