/*
 * Unit tests of resource names (services/common/names.c).
 */
#include <string.h>

#include <criterion/criterion.h>

#include "refunds/names.h"

Test(names, parse_takes_collection_slash_uuid_in_either_case)
{
    char id[RF_UUID_TEXT_LEN + 1];

    cr_assert(rf_name_parse("cases/01A230E3-2D4D-72F7-B159-740DE180C1C3", "cases", id));
    cr_assert_str_eq(id, "01a230e3-2d4d-72f7-b159-740de180c1c3");
    cr_assert(rf_name_parse("findings/01a230e3-2d4d-72f7-b159-740de180c1c3", "findings", id));
}

Test(names, parse_refuses_anything_else)
{
    static const char *const bad[] = {"cases/",
                                      "cases",
                                      "case/01a230e3-2d4d-72f7-b159-740de180c1c3",
                                      "cases01a230e3-2d4d-72f7-b159-740de180c1c3",
                                      "cases/01a230e3-2d4d-72f7-b159-740de180c1c",
                                      "cases/01a230e3-2d4d-72f7-b159-740de180c1c3/x",
                                      "findings/01a230e3-2d4d-72f7-b159-740de180c1c3",
                                      "casesx/01a230e3-2d4d-72f7-b159-740de180c1c3",
                                      ""};
    char id[RF_UUID_TEXT_LEN + 1];

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_not(rf_name_parse(bad[i], "cases", id), "\"%s\"", bad[i]);
}

Test(names, format_and_id_are_inverse)
{
    struct rf_arena *a = rf_arena_create(0);
    char *name = rf_name_format(a, "cases", "01a230e3-2d4d-72f7-b159-740de180c1c3");

    cr_assert_str_eq(name, "cases/01a230e3-2d4d-72f7-b159-740de180c1c3");
    cr_assert_str_eq(rf_name_id(name), "01a230e3-2d4d-72f7-b159-740de180c1c3");
    cr_assert_str_eq(rf_name_id("no-slash"), "no-slash");
    rf_arena_destroy(a);
}
