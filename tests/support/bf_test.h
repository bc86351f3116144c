/*
 * bf_test.h - what every cmocka test of borderflow includes.
 */
#ifndef BF_TEST_H
#define BF_TEST_H

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/* |a - b| <= tol, with both values in the failure message. */
#define bf_assert_near(a, b, tol)                                                                  \
    do {                                                                                           \
        double bf__a = (a), bf__b = (b), bf__t = (tol);                                            \
        if (!(fabs(bf__a - bf__b) <= bf__t))                                                       \
            fail_msg("%s = %.12g, expected %s = %.12g within %.3g", #a, bf__a, #b, bf__b, bf__t);  \
    } while (0)

/* |a - b| <= rel * |b| */
#define bf_assert_rel(a, b, rel) bf_assert_near((a), (b), (rel)*fabs((double)(b)))

#endif
