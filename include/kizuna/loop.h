/*
 * kizuna/loop.h -- the one event loop every Kizuna component runs on.
 *
 * Why: the RIC, the emulator and the xApps must run unchanged over real sockets and inside the
 * deterministic simulator (DESIGN.md, principle 2).  So nothing in them reads the time or sleeps
 * by itself: they ask the loop.  The loop owns an epoll set, a heap of timers, a queue of deferred
 * calls and a clock behind a two-function interface.  With the wall clock it blocks in epoll until
 * the next timer; with a virtual clock it never blocks on time but jumps the clock straight to the
 * next timer, so a simulated day runs as fast as its events can be processed.
 *
 * Guarantees:
 *  - Single-threaded: every callback runs on the thread that calls kz_loop_run*(), one at a time.
 *    The only call that is safe from another thread is kz_async_send().
 *  - Timers fire in (due time, start order): two timers due at the same instant fire in the order
 *    they were started, which is what makes a virtual-time run reproducible.  Start/stop are
 *    O(log n).  A timer never fires before its due time on the loop's clock.
 *  - Deferred calls run in the order they were posted, on a later loop turn, never inside the
 *    call that posted them -- the way to get out of a callback before doing something drastic.
 *  - Caller owns memory: every handle (kz_timer, kz_io, kz_defer, kz_async) is caller-allocated;
 *    the loop only links it.  A handle may be freed once it is stopped/cancelled/closed, including
 *    from inside its own callback.  The loop itself is opened and closed by the caller.
 *  - Time is int64 nanoseconds: kz_loop_now() is monotonic loop time (cached per loop turn),
 *    kz_loop_epoch_ns() the matching calendar time (virtual in a simulation).
 *
 * Errors are negative codes from kizuna/error.h.
 */
#ifndef KIZUNA_LOOP_H
#define KIZUNA_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KZ_NS_PER_MS INT64_C(1000000)
#define KZ_NS_PER_S  INT64_C(1000000000)

/* ---- clock ----------------------------------------------------------------------------------
 * A clock is two functions.  Real clocks leave advance_to NULL; the loop then sleeps in epoll.
 * Virtual clocks implement advance_to, and the loop calls it instead of sleeping. */
typedef struct kz_clock kz_clock;
struct kz_clock {
    int64_t (*now_ns)(kz_clock *c);                 /* monotonic nanoseconds */
    void (*advance_to)(kz_clock *c, int64_t t_ns);  /* virtual clocks only; never moves back */
    int64_t epoch_offset_ns;  /* now_ns + this = nanoseconds since 1970-01-01 UTC */
};

/* The wall clock: CLOCK_MONOTONIC, epoch offset taken from CLOCK_REALTIME at init. */
void kz_clock_wall_init(kz_clock *c);

/* A virtual clock: time stands still until the loop advances it. */
typedef struct kz_vclock {
    kz_clock base;   /* must stay first: &vc->base is the kz_clock* to give the loop */
    int64_t now;
} kz_vclock;
void kz_vclock_init(kz_vclock *vc, int64_t start_ns, int64_t epoch_offset_ns);

/* ---- loop ----------------------------------------------------------------------------------- */
typedef struct kz_loop kz_loop;

/* Opens a loop on `clock` (NULL: a wall clock owned by the loop).  The clock must outlive the loop.
 * Errors: KZ_ENOMEM, KZ_EIO (epoll_create failed). */
int kz_loop_open(kz_loop **out, kz_clock *clock);

/* Runs the closers registered by transports (which stop their handles), then frees the loop.
 * Returns KZ_EAGAIN, and frees nothing, while caller handles are still active (stop them first).
 */
int kz_loop_close(kz_loop *loop);

enum kz_run_mode {
    KZ_RUN_DEFAULT = 0,  /* until kz_loop_stop() or nothing is active */
    KZ_RUN_ONCE,         /* one turn; may block (or advance virtual time) until something happens */
    KZ_RUN_NOWAIT,       /* one turn; never blocks, never advances virtual time */
};
/* Returns 1 if handles are still active, 0 if the loop ran out of work. */
int kz_loop_run(kz_loop *loop, enum kz_run_mode mode);

/* Runs until kz_loop_stop() (returns 0) or until loop time reaches deadline_ns (KZ_ETIMEOUT); timers
 * due at the deadline itself fire before it returns.
 * With a virtual clock and nothing left to do before the deadline, time jumps to the deadline. */
int kz_loop_run_until(kz_loop *loop, int64_t deadline_ns);

/* Makes the current kz_loop_run*() return after the callback in progress. */
void kz_loop_stop(kz_loop *loop);

int64_t kz_loop_now(const kz_loop *loop);        /* loop time, cached at the start of the turn */
int64_t kz_loop_epoch_ns(const kz_loop *loop);   /* calendar time of kz_loop_now() */
bool kz_loop_is_virtual(const kz_loop *loop);
void kz_loop_update_time(kz_loop *loop);         /* re-read the clock (wall only; for benches) */

/* ---- timers --------------------------------------------------------------------------------- */
typedef struct kz_timer kz_timer;
typedef void (*kz_timer_cb)(kz_timer *t, void *ud);
struct kz_timer {          /* fields are private; kz_timer_init() sets them */
    kz_loop *loop;
    kz_timer_cb cb;
    void *ud;
    int64_t due;
    int64_t repeat;
    uint64_t seq;          /* start order: ties on `due` fire in this order */
    size_t idx;            /* position in the loop's heap, SIZE_MAX when inactive */
};
void kz_timer_init(kz_loop *loop, kz_timer *t);
/* Fires cb after delay_ns, then every repeat_ns if repeat_ns > 0.  Restarting an active timer
 * moves it.  Errors: KZ_EINVAL (negative delay), KZ_ENOMEM (heap could not grow). */
int kz_timer_start(kz_timer *t, int64_t delay_ns, int64_t repeat_ns, kz_timer_cb cb, void *ud);
void kz_timer_stop(kz_timer *t);
bool kz_timer_active(const kz_timer *t);

/* ---- file-descriptor watchers --------------------------------------------------------------- */
enum { KZ_IO_READ = 1u, KZ_IO_WRITE = 2u, KZ_IO_ERROR = 4u /* only reported, never requested */ };
typedef struct kz_io kz_io;
typedef void (*kz_io_cb)(kz_io *io, unsigned revents, void *ud);
struct kz_io {             /* private */
    kz_loop *loop;
    kz_io_cb cb;
    void *ud;
    int fd;
    unsigned events;
    bool active;
};
/* Level-triggered.  The fd stays the caller's: kz_io_stop() before close(fd).
 * Errors: KZ_EINVAL, KZ_EIO (epoll_ctl). */
int kz_io_start(kz_loop *loop, kz_io *io, int fd, unsigned events, kz_io_cb cb, void *ud);
int kz_io_set(kz_io *io, unsigned events);
void kz_io_stop(kz_io *io);

/* ---- deferred calls ------------------------------------------------------------------------- */
typedef struct kz_defer kz_defer;
typedef void (*kz_defer_cb)(kz_defer *d, void *ud);
struct kz_defer {          /* private */
    kz_defer *prev, *next;
    kz_defer_cb cb;
    void *ud;
    bool queued;
};
void kz_defer_init(kz_defer *d);
/* Queues cb to run on a later turn.  Posting a queued handle again does nothing. */
void kz_defer_post(kz_loop *loop, kz_defer *d, kz_defer_cb cb, void *ud);
void kz_defer_cancel(kz_loop *loop, kz_defer *d);
bool kz_defer_queued(const kz_defer *d);

/* ---- wake-ups from other threads ------------------------------------------------------------ */
typedef struct kz_async kz_async;
typedef void (*kz_async_cb)(kz_async *a, void *ud);
struct kz_async {          /* private */
    kz_io io;
    kz_async_cb cb;
    void *ud;
    int fd;                /* eventfd */
};
/* Errors: KZ_EIO (eventfd), as kz_io_start. */
int kz_async_init(kz_loop *loop, kz_async *a, kz_async_cb cb, void *ud);
/* Thread-safe and async-signal-safe.  Many sends before the loop notices make one callback. */
void kz_async_send(kz_async *a);
void kz_async_close(kz_async *a);

#endif
