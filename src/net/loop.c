/*
 * loop.c -- the epoll reactor with a timer heap, deferred calls and a pluggable clock
 * (see include/kizuna/loop.h for the contract).
 *
 * One turn of the loop:
 *   1. read the clock once (kz_loop_now() is constant during a turn);
 *   2. fire every timer due at or before now, in (due, seq) order;
 *   3. run the deferred calls that were queued when this phase began (ones they post wait a turn);
 *   4. wait for fds: block until the next timer (wall clock), or poll without blocking and, if
 *      nothing is ready, advance a virtual clock to the next timer.
 *
 * Invariants (checked by kz__heap_check in debug builds):
 *   - heap[i]->idx == i for every active timer; inactive timers have idx == SIZE_MAX;
 *   - heap order by (due, seq);
 *   - defer list holds exactly the handles with queued == true.
 * A watcher stopped while events for it are pending in this turn's batch is removed from the batch
 * (its slot is set to NULL), so a callback may stop and free any watcher, including another one.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "kizuna/error.h"
#include "kizuna/loop.h"
#include "net/net_int.h"

#define KZ__MAX_EVENTS 256

struct kz_loop {
    int epfd;
    kz_clock *clock;
    kz_clock own_clock;        /* used when the caller gave none */
    int64_t now;
    bool stop;

    kz_timer **heap;
    size_t nheap, capheap;
    uint64_t timer_seq;

    kz_defer *dq_head, *dq_tail;

    size_t nio;                /* active watchers */
    struct epoll_event events[KZ__MAX_EVENTS];
    int nevents;               /* size of the batch being dispatched */

    struct {
        void *p;
        void (*fini)(void *p);
    } slot[KZ__SLOT_MAX];
};

/* ---- clocks -------------------------------------------------------------------------------- */
static int64_t ts_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * KZ_NS_PER_S + ts.tv_nsec;
}

static int64_t wall_now(kz_clock *c)
{
    (void)c;
    return ts_ns(CLOCK_MONOTONIC);
}

void kz_clock_wall_init(kz_clock *c)
{
    c->now_ns = wall_now;
    c->advance_to = NULL;
    c->epoch_offset_ns = ts_ns(CLOCK_REALTIME) - ts_ns(CLOCK_MONOTONIC);
}

static int64_t vclock_now(kz_clock *c)
{
    return ((kz_vclock *)c)->now;
}

static void vclock_advance(kz_clock *c, int64_t t)
{
    kz_vclock *vc = (kz_vclock *)c;
    if (t > vc->now)
        vc->now = t;
}

void kz_vclock_init(kz_vclock *vc, int64_t start_ns, int64_t epoch_offset_ns)
{
    vc->base.now_ns = vclock_now;
    vc->base.advance_to = vclock_advance;
    vc->base.epoch_offset_ns = epoch_offset_ns;
    vc->now = start_ns;
}

/* ---- loop ---------------------------------------------------------------------------------- */
int kz_loop_open(kz_loop **out, kz_clock *clock)
{
    kz_loop *l = calloc(1, sizeof *l);
    if (!l)
        return KZ_ENOMEM;
    l->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (l->epfd < 0) {
        free(l);
        return KZ_EIO;
    }
    if (!clock) {
        kz_clock_wall_init(&l->own_clock);
        clock = &l->own_clock;
    }
    l->clock = clock;
    l->now = clock->now_ns(clock);
    *out = l;
    return 0;
}

int kz_loop_close(kz_loop *l)
{
    for (int i = 0; i < KZ__SLOT_MAX; i++) {
        if (l->slot[i].p && l->slot[i].fini) {
            void *p = l->slot[i].p;
            l->slot[i].p = NULL;
            l->slot[i].fini(p);
        }
    }
    if (l->nheap || l->nio || l->dq_head)
        return KZ_EAGAIN;
    close(l->epfd);
    free(l->heap);
    free(l);
    return 0;
}

void *kz__loop_slot(kz_loop *l, int slot)
{
    return l->slot[slot].p;
}

void kz__loop_set_slot(kz_loop *l, int slot, void *p, void (*fini)(void *p))
{
    l->slot[slot].p = p;
    l->slot[slot].fini = fini;
}

int64_t kz_loop_now(const kz_loop *l) { return l->now; }
int64_t kz_loop_epoch_ns(const kz_loop *l) { return l->now + l->clock->epoch_offset_ns; }
bool kz_loop_is_virtual(const kz_loop *l) { return l->clock->advance_to != NULL; }
void kz_loop_stop(kz_loop *l) { l->stop = true; }

void kz_loop_update_time(kz_loop *l)
{
    l->now = l->clock->now_ns(l->clock);
}

/* ---- timer heap ---------------------------------------------------------------------------- */
static bool timer_before(const kz_timer *a, const kz_timer *b)
{
    return a->due < b->due || (a->due == b->due && a->seq < b->seq);
}

static void heap_set(kz_loop *l, size_t i, kz_timer *t)
{
    l->heap[i] = t;
    t->idx = i;
}

static void heap_up(kz_loop *l, size_t i)
{
    kz_timer *t = l->heap[i];
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!timer_before(t, l->heap[p]))
            break;
        heap_set(l, i, l->heap[p]);
        i = p;
    }
    heap_set(l, i, t);
}

static void heap_down(kz_loop *l, size_t i)
{
    kz_timer *t = l->heap[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= l->nheap)
            break;
        if (c + 1 < l->nheap && timer_before(l->heap[c + 1], l->heap[c]))
            c++;
        if (!timer_before(l->heap[c], t))
            break;
        heap_set(l, i, l->heap[c]);
        i = c;
    }
    heap_set(l, i, t);
}

static void heap_remove(kz_loop *l, kz_timer *t)
{
    size_t i = t->idx;
    assert(i < l->nheap && l->heap[i] == t);
    t->idx = SIZE_MAX;
    l->nheap--;
    if (i == l->nheap)
        return;
    kz_timer *moved = l->heap[l->nheap];
    heap_set(l, i, moved);
    heap_down(l, i);
    heap_up(l, moved->idx);
}

#ifndef NDEBUG
static void kz__heap_check(const kz_loop *l)
{
    for (size_t i = 0; i < l->nheap; i++) {
        assert(l->heap[i]->idx == i);
        if (i)
            assert(!timer_before(l->heap[i], l->heap[(i - 1) / 2]));
    }
}
#endif

void kz_timer_init(kz_loop *l, kz_timer *t)
{
    memset(t, 0, sizeof *t);
    t->loop = l;
    t->idx = SIZE_MAX;
}

bool kz_timer_active(const kz_timer *t) { return t->idx != SIZE_MAX; }

int kz_timer_start(kz_timer *t, int64_t delay_ns, int64_t repeat_ns, kz_timer_cb cb, void *ud)
{
    kz_loop *l = t->loop;
    if (delay_ns < 0 || repeat_ns < 0 || !cb)
        return KZ_EINVAL;
    if (kz_timer_active(t))
        heap_remove(l, t);
    if (l->nheap == l->capheap) {
        size_t cap = l->capheap ? 2 * l->capheap : 64;
        kz_timer **h = realloc(l->heap, cap * sizeof *h);
        if (!h)
            return KZ_ENOMEM;
        l->heap = h;
        l->capheap = cap;
    }
    t->cb = cb;
    t->ud = ud;
    t->due = l->now + delay_ns;
    t->repeat = repeat_ns;
    t->seq = l->timer_seq++;
    heap_set(l, l->nheap++, t);
    heap_up(l, t->idx);
    return 0;
}

void kz_timer_stop(kz_timer *t)
{
    if (kz_timer_active(t))
        heap_remove(t->loop, t);
}

static bool run_timers(kz_loop *l)
{
    bool fired = false;
    while (l->nheap && l->heap[0]->due <= l->now && !l->stop) {
        kz_timer *t = l->heap[0];
        heap_remove(l, t);
        if (t->repeat > 0) {
            /* re-arm before the callback so it may stop or restart the timer */
            t->due += t->repeat;
            if (t->due <= l->now)
                t->due = l->now + t->repeat;
            t->seq = l->timer_seq++;
            heap_set(l, l->nheap++, t);
            heap_up(l, t->idx);
        }
        fired = true;
        t->cb(t, t->ud);
    }
#ifndef NDEBUG
    kz__heap_check(l);
#endif
    return fired;
}

/* ---- deferred calls ------------------------------------------------------------------------ */
void kz_defer_init(kz_defer *d)
{
    memset(d, 0, sizeof *d);
}

bool kz_defer_queued(const kz_defer *d) { return d->queued; }

void kz_defer_post(kz_loop *l, kz_defer *d, kz_defer_cb cb, void *ud)
{
    d->cb = cb;
    d->ud = ud;
    if (d->queued)
        return;
    d->queued = true;
    d->next = NULL;
    d->prev = l->dq_tail;
    if (l->dq_tail)
        l->dq_tail->next = d;
    else
        l->dq_head = d;
    l->dq_tail = d;
}

void kz_defer_cancel(kz_loop *l, kz_defer *d)
{
    if (!d->queued)
        return;
    if (d->prev)
        d->prev->next = d->next;
    else
        l->dq_head = d->next;
    if (d->next)
        d->next->prev = d->prev;
    else
        l->dq_tail = d->prev;
    d->prev = d->next = NULL;
    d->queued = false;
}

static bool run_deferred(kz_loop *l)
{
    bool ran = l->dq_head != NULL;
    kz_defer *last = l->dq_tail;   /* calls posted from here on wait for the next turn */
    while (l->dq_head && !l->stop) {
        kz_defer *d = l->dq_head;
        bool was_last = d == last;
        kz_defer_cancel(l, d);
        d->cb(d, d->ud);
        if (was_last)
            break;
    }
    return ran;
}

/* ---- fd watchers --------------------------------------------------------------------------- */
static uint32_t to_epoll(unsigned ev)
{
    return ((ev & KZ_IO_READ) ? EPOLLIN : 0u) | ((ev & KZ_IO_WRITE) ? EPOLLOUT : 0u);
}

int kz_io_start(kz_loop *l, kz_io *io, int fd, unsigned events, kz_io_cb cb, void *ud)
{
    if (fd < 0 || !cb)
        return KZ_EINVAL;
    memset(io, 0, sizeof *io);
    struct epoll_event ev = {.events = to_epoll(events), .data.ptr = io};
    if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
        return KZ_EIO;
    io->loop = l;
    io->fd = fd;
    io->events = events;
    io->cb = cb;
    io->ud = ud;
    io->active = true;
    l->nio++;
    return 0;
}

int kz_io_set(kz_io *io, unsigned events)
{
    if (!io->active)
        return KZ_EINVAL;
    if (events == io->events)
        return 0;
    struct epoll_event ev = {.events = to_epoll(events), .data.ptr = io};
    if (epoll_ctl(io->loop->epfd, EPOLL_CTL_MOD, io->fd, &ev) < 0)
        return KZ_EIO;
    io->events = events;
    return 0;
}

void kz_io_stop(kz_io *io)
{
    if (!io->active)
        return;
    kz_loop *l = io->loop;
    epoll_ctl(l->epfd, EPOLL_CTL_DEL, io->fd, NULL);
    io->active = false;
    l->nio--;
    for (int i = 0; i < l->nevents; i++)
        if (l->events[i].data.ptr == io)
            l->events[i].data.ptr = NULL;
}

static void poll_io(kz_loop *l, int timeout_ms)
{
    int n = epoll_wait(l->epfd, l->events, KZ__MAX_EVENTS, timeout_ms);
    if (n < 0)
        n = 0;   /* EINTR: the caller's loop simply turns again */
    kz_loop_update_time(l);
    l->nevents = n;
    for (int i = 0; i < n && !l->stop; i++) {
        kz_io *io = l->events[i].data.ptr;
        if (!io)
            continue;
        uint32_t e = l->events[i].events;
        unsigned rev = ((e & (EPOLLIN | EPOLLHUP)) ? KZ_IO_READ : 0u) |
                       ((e & EPOLLOUT) ? KZ_IO_WRITE : 0u) | ((e & EPOLLERR) ? KZ_IO_ERROR : 0u);
        io->cb(io, rev, io->ud);
    }
    l->nevents = 0;
}

/* ---- async --------------------------------------------------------------------------------- */
static void async_io_cb(kz_io *io, unsigned revents, void *ud)
{
    kz_async *a = ud;
    uint64_t v;
    (void)io;
    (void)revents;
    if (read(a->fd, &v, sizeof v) < 0 && errno != EAGAIN)
        return;
    a->cb(a, a->ud);
}

int kz_async_init(kz_loop *l, kz_async *a, kz_async_cb cb, void *ud)
{
    a->cb = cb;
    a->ud = ud;
    a->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (a->fd < 0)
        return KZ_EIO;
    int rc = kz_io_start(l, &a->io, a->fd, KZ_IO_READ, async_io_cb, a);
    if (rc < 0) {
        close(a->fd);
        a->fd = -1;
    }
    return rc;
}

void kz_async_send(kz_async *a)
{
    uint64_t one = 1;
    ssize_t r = write(a->fd, &one, sizeof one);   /* EAGAIN: counter saturated, already pending */
    (void)r;
}

void kz_async_close(kz_async *a)
{
    if (a->fd < 0)
        return;
    kz_io_stop(&a->io);
    close(a->fd);
    a->fd = -1;
}

/* ---- running ------------------------------------------------------------------------------- */
static bool alive(const kz_loop *l)
{
    return l->nheap || l->nio || l->dq_head;
}

/* One turn.  `block`: may wait for fds / advance virtual time, unless this turn already ran
 * timers or deferred calls (so that KZ_RUN_ONCE returns as soon as anything happened). */
static void turn(kz_loop *l, bool block)
{
    kz_loop_update_time(l);
    bool worked = run_timers(l);
    if (l->stop)
        return;
    worked |= run_deferred(l);
    if (l->stop)
        return;
    if (worked)
        block = false;

    int64_t wait = -1;   /* ns until something is due; -1: nothing scheduled */
    if (!block || l->dq_head)
        wait = 0;
    else if (l->nheap)
        wait = l->heap[0]->due > l->now ? l->heap[0]->due - l->now : 0;

    if (l->clock->advance_to) {
        if (l->nio)
            poll_io(l, (wait < 0 && !l->nheap && !l->dq_head) ? -1 : 0);
        if (wait > 0 && !l->stop && !l->dq_head) {
            l->clock->advance_to(l->clock, l->heap[0]->due);
            kz_loop_update_time(l);
        }
        return;
    }
    if (!l->nio && wait < 0)
        return;   /* nothing can ever happen */
    int ms = wait < 0 ? -1 : (int)((wait + KZ_NS_PER_MS - 1) / KZ_NS_PER_MS);
    if (wait > (int64_t)INT32_MAX * KZ_NS_PER_MS)
        ms = INT32_MAX;
    poll_io(l, ms);
}

int kz_loop_run(kz_loop *l, enum kz_run_mode mode)
{
    l->stop = false;
    if (mode != KZ_RUN_DEFAULT) {
        turn(l, mode == KZ_RUN_ONCE);
        l->stop = false;
        return alive(l) ? 1 : 0;
    }
    while (!l->stop && alive(l))
        turn(l, true);
    l->stop = false;
    return alive(l) ? 1 : 0;
}

static void deadline_cb(kz_timer *t, void *ud)
{
    (void)t;
    *(bool *)ud = true;
    kz_loop_stop(t->loop);
}

int kz_loop_run_until(kz_loop *l, int64_t deadline_ns)
{
    bool hit = false;
    kz_timer t;
    kz_timer_init(l, &t);
    kz_loop_update_time(l);
    int64_t delay = deadline_ns > l->now ? deadline_ns - l->now : 0;
    int rc = kz_timer_start(&t, delay, 0, deadline_cb, &hit);
    if (rc < 0)
        return rc;
    /* last among timers due at the deadline, so everything due at or before it runs */
    heap_remove(l, &t);
    t.seq = UINT64_MAX;
    heap_set(l, l->nheap++, &t);
    heap_up(l, t.idx);
    l->stop = false;
    while (!l->stop)
        turn(l, true);
    l->stop = false;
    kz_timer_stop(&t);
    return hit ? KZ_ETIMEOUT : 0;
}
