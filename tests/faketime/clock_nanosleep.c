/*
 * Lets `make test-dates` run the suite under Debian's faketime (libfaketime 0.9.10) with Python 3.11.
 *
 * Python 3.11 sleeps with clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, ...). With `--exclude-monotonic`
 * (needed: without it, timed lock waits hang, libfaketime #390) libfaketime 0.9.10 still rewrites that absolute
 * monotonic deadline and hands the kernel a negative time, so every time.sleep() fails with EINVAL
 * (libfaketime #426, fixed upstream after 0.9.10). Preloaded ahead of libfaketime, this passes the call to the
 * kernel untouched: correct exactly because the monotonic clock is not faked. Only the wall clock moves.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int clock_nanosleep(clockid_t clock_id, int flags, const struct timespec *request, struct timespec *remain) {
    long result = syscall(SYS_clock_nanosleep, clock_id, flags, request, remain);
    return result == 0 ? 0 : errno;
}
