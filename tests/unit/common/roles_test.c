/*
 * Unit tests of the role names (services/common/roles.c): every role's name
 * and back, and what is not exactly one role.
 */
#include <stddef.h>

#include <criterion/criterion.h>

#include "refunds/roles.h"

Test(roles, names_and_parse_are_inverse_for_every_role)
{
    static const struct {
        unsigned role;
        const char *name;
    } want[] = {
        {RF_ROLE_SERVICE, "service"},   {RF_ROLE_AGENT, "agent"},
        {RF_ROLE_APPROVER, "approver"}, {RF_ROLE_FINANCE, "finance"},
        {RF_ROLE_ADMIN, "admin"},       {RF_ROLE_SENIOR_APPROVER, "senior_approver"},
    };
    unsigned all = 0;

    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        cr_assert_str_eq(rf_role_name(want[i].role), want[i].name);
        cr_assert_eq(rf_role_parse(want[i].name), want[i].role);
        all |= want[i].role;
    }
    cr_assert_eq(all, RF_ROLES_ALL);
}

Test(roles, name_of_no_role_or_several_roles_is_null)
{
    cr_assert_null(rf_role_name(0));
    cr_assert_null(rf_role_name(RF_ROLE_AGENT | RF_ROLE_ADMIN));
    cr_assert_null(rf_role_name(RF_ROLES_ALL));
    cr_assert_null(rf_role_name(RF_ROLES_APPROVERS));
    cr_assert_null(rf_role_name(1u << 6));
}

Test(roles, parse_of_an_unknown_name_is_zero)
{
    static const char *const bad[] = {"",     "Admin",  "ADMIN",           "agents",
                                      "root", " agent", "senior-approver", "senior"};

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_eq(rf_role_parse(bad[i]), 0, "\"%s\"", bad[i]);
}
