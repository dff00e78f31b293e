/*
 * Who may do what: the roles a caller (or a worker) acts in, as bits so that
 * a method lists the roles it allows as one mask, and the actor every change
 * is attributed to in the audit chain. No authentication here: the server's
 * auth.c turns a bearer token into an actor; a worker names itself.
 */
#ifndef REFUNDS_ROLES_H
#define REFUNDS_ROLES_H

enum rf_role {
    RF_ROLE_SERVICE = 1u << 0,
    RF_ROLE_AGENT = 1u << 1,
    RF_ROLE_APPROVER = 1u << 2,
    RF_ROLE_FINANCE = 1u << 3,
    RF_ROLE_ADMIN = 1u << 4,
    /* An approver who may also decide the cases above the policy's senior threshold. */
    RF_ROLE_SENIOR_APPROVER = 1u << 5,
};
#define RF_ROLES_ALL                                                                               \
    (RF_ROLE_SERVICE | RF_ROLE_AGENT | RF_ROLE_APPROVER | RF_ROLE_FINANCE | RF_ROLE_ADMIN |        \
     RF_ROLE_SENIOR_APPROVER)
/* Both approver roles: whatever an approver may do, a senior approver may too. */
#define RF_ROLES_APPROVERS (RF_ROLE_APPROVER | RF_ROLE_SENIOR_APPROVER)

/* Who acts: a subject ("alice", "refunds-reconciler") in one role. */
struct rf_actor {
    const char *subject; /* "" for unauthenticated methods */
    unsigned role;       /* one RF_ROLE_* bit; 0 when none */
};

/* "agent" for RF_ROLE_AGENT; NULL for anything that is not exactly one role. */
const char *rf_role_name(unsigned role);

/* The role named s; 0 when s names none. */
unsigned rf_role_parse(const char *s);

#endif
