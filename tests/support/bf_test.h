/*
 * bf_test.h - what every cmocka test of borderflow includes.
 */
#ifndef BF_TEST_H
#define BF_TEST_H

#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

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

/*
 * Runs fn in a child and reports whether it died of SIGABRT, as a failed
 * BF_ASSERT does. A child process, as libuv's runner does, because an abort
 * cannot be caught and cmocka's mock_assert covers only its own macro. The
 * child's stderr (the assertion report, expected) goes to /dev/null.
 */
static inline int bf_aborts(void (*fn)(void))
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        signal(SIGABRT, SIG_DFL);
        if (freopen("/dev/null", "w", stderr) == NULL)
            _exit(2);
        fn();
        _exit(0);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

#endif
