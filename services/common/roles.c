/*
 * Role names (see include/refunds/roles.h): the one table of them, used by
 * the tokens file, the audit chain and the error messages.
 */
#include <string.h>

#include "refunds/roles.h"

static const struct {
    unsigned role;
    const char *name;
} role_names[] = {
    {RF_ROLE_SERVICE, "service"},   {RF_ROLE_AGENT, "agent"},
    {RF_ROLE_APPROVER, "approver"}, {RF_ROLE_FINANCE, "finance"},
    {RF_ROLE_ADMIN, "admin"},       {RF_ROLE_SENIOR_APPROVER, "senior_approver"},
};

const char *rf_role_name(unsigned role)
{
    for (size_t i = 0; i < sizeof role_names / sizeof role_names[0]; i++) {
        if (role_names[i].role == role)
            return role_names[i].name;
    }
    return NULL;
}

unsigned rf_role_parse(const char *s)
{
    for (size_t i = 0; i < sizeof role_names / sizeof role_names[0]; i++) {
        if (strcmp(role_names[i].name, s) == 0)
            return role_names[i].role;
    }
    return 0;
}
