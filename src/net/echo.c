/*
 * echo.c -- kizuna-echo: exercise any Kizuna transport from the command line, E2-agnostic.
 *
 *   kizuna-echo server URL
 *       listen at URL; echo every message back on its stream with its PPID; runs until SIGINT/TERM
 *   kizuna-echo client URL [-n COUNT] [-s SIZE] [-c ASSOCS] [-p PPID]
 *       open ASSOCS associations (default 1), send COUNT messages (default 10) of SIZE bytes
 *       (default 200) on each, one outstanding per association, check every echo, and print the
 *       round-trip times (p50/p99/max); exit 0 only if every echo came back intact
 *   kizuna-echo mem [-n COUNT] [-s SIZE]
 *       both ends in this process over mem:// (a smoke test of the in-memory transport)
 *
 * URL is sctp://host:port, sctp+udp://host:udp-port (SCTP port 36421 inside; -P to change) or
 * mem://name.  Why it exists: to check a transport against a real peer (another kizuna-echo, the
 * kernel-SCTP lab's VM, a third-party E2 node) without any E2AP in the way.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kizuna/error.h"
#include "kizuna/loop.h"
#include "kizuna/transport.h"

typedef struct client {
    kz_assoc *a;
    int sent, got;
    int64_t t_sent;
    bool up, down;
} client;

typedef struct app {
    kz_loop *loop;
    bool server;
    int count, assocs, done, failed, downs;
    size_t size;
    uint32_t ppid;
    uint8_t *payload;
    int64_t *rtt;
    size_t nrtt;
    client *cl;
} app;

static const char *errname(int code)
{
    switch (code) {
    case 0: return "ok";
#define X_(name, c, text) case c: return text;
    KZ_ERRNO_MAP(X_)
#undef X_
    default: return "unknown error";
    }
}

static void send_next(app *ap, client *c)
{
    ap->payload[0] = (uint8_t)c->sent;
    kz_msg m = {.data = ap->payload, .len = ap->size, .ppid = ap->ppid,
                .stream = (uint16_t)(c->sent % kz_assoc_streams(c->a))};
    kz_loop_update_time(ap->loop);
    c->t_sent = kz_loop_now(ap->loop);
    int rc = kz_assoc_send(c->a, &m);
    if (rc < 0) {
        fprintf(stderr, "send: %s\n", errname(rc));
        ap->failed++;
        kz_assoc_abort(c->a);
        return;
    }
    c->sent++;
}

static void on_up(kz_assoc *a, void *ud)
{
    app *ap = ud;
    printf("up: %s (assoc %llu, %u streams)\n", kz_assoc_peer(a),
           (unsigned long long)kz_assoc_id(a), kz_assoc_streams(a));
    fflush(stdout);
    client *c = kz_assoc_ud(a);
    if (ap->server || !c)
        return;
    c->up = true;
    send_next(ap, c);
}

static void on_msg(kz_assoc *a, const kz_msg *m, void *ud)
{
    app *ap = ud;
    if (ap->server) {
        int rc = kz_assoc_send(a, m);
        if (rc < 0)
            fprintf(stderr, "echo to %s: %s\n", kz_assoc_peer(a), errname(rc));
        return;
    }
    client *c = kz_assoc_ud(a);
    kz_loop_update_time(ap->loop);
    ap->rtt[ap->nrtt++] = kz_loop_now(ap->loop) - c->t_sent;
    ap->payload[0] = (uint8_t)(c->sent - 1);
    if (m->len != ap->size || m->ppid != ap->ppid || memcmp(m->data, ap->payload, m->len)) {
        fprintf(stderr, "bad echo on %s: %zu bytes ppid %u\n", kz_assoc_peer(a), m->len, m->ppid);
        ap->failed++;
    }
    if (++c->got < ap->count) {
        send_next(ap, c);
    } else {
        kz_assoc_close(a);
    }
}

static void on_down(kz_assoc *a, int reason, void *ud)
{
    app *ap = ud;
    printf("down: %s (%s)\n", kz_assoc_peer(a), reason ? errname(reason) : "orderly");
    fflush(stdout);
    client *c = kz_assoc_ud(a);
    if (ap->server || !c)
        return;
    c->down = true;
    if (c->got < ap->count)
        ap->failed++;
    if (++ap->downs == ap->assocs)
        kz_loop_stop(ap->loop);
}

static int cmp64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

static void report(app *ap, double secs)
{
    if (!ap->nrtt)
        return;
    qsort(ap->rtt, ap->nrtt, sizeof *ap->rtt, cmp64);
    printf("%zu echoes of %zu bytes over %d association(s) in %.3f s: %.0f msg/s; "
           "RTT p50 %.1f us, p99 %.1f us, max %.1f us\n",
           ap->nrtt, ap->size, ap->assocs, secs, ap->nrtt / secs,
           ap->rtt[ap->nrtt / 2] / 1e3, ap->rtt[ap->nrtt * 99 / 100] / 1e3,
           ap->rtt[ap->nrtt - 1] / 1e3);
}

static kz_loop *sig_loop;
static void on_signal(int sig)
{
    (void)sig;
    if (sig_loop)
        kz_loop_stop(sig_loop);   /* only sets a flag */
}

static int usage(void)
{
    fprintf(stderr, "usage: kizuna-echo server URL [-P SCTP_PORT]\n"
                    "       kizuna-echo client URL [-n COUNT] [-s SIZE] [-c ASSOCS] [-p PPID] "
                    "[-P SCTP_PORT]\n"
                    "       kizuna-echo mem [-n COUNT] [-s SIZE] [-c ASSOCS]\n");
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage();
    app ap = {.count = 10, .size = 200, .assocs = 1, .ppid = KZ_E2AP_PPID};
    const char *mode = argv[1], *url = "mem://echo";
    int argi = 2;
    if (strcmp(mode, "mem")) {
        if (argc < 3)
            return usage();
        url = argv[2];
        argi = 3;
    }
    kz_transport_cfg cfg;
    kz_transport_cfg_default(&cfg);
    optind = argi;
    int opt;
    while ((opt = getopt(argc, argv, "n:s:c:p:P:")) != -1) {
        switch (opt) {
        case 'n': ap.count = atoi(optarg); break;
        case 's': ap.size = (size_t)atol(optarg); break;
        case 'c': ap.assocs = atoi(optarg); break;
        case 'p': ap.ppid = (uint32_t)strtoul(optarg, NULL, 0); break;
        case 'P': cfg.sctp_port = (uint16_t)atoi(optarg); break;
        default: return usage();
        }
    }
    if (ap.count < 1 || ap.size < 1 || ap.size > cfg.max_msg || ap.assocs < 1)
        return usage();
    if (kz_loop_open(&ap.loop, NULL) < 0)
        return 1;
    sig_loop = ap.loop;
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    kz_transport_cbs cbs = {on_up, on_msg, on_down, NULL};
    kz_transport *srv = NULL, *cli = NULL;
    int rc;
    bool server = !strcmp(mode, "server"), client_mode = !strcmp(mode, "client") || !strcmp(mode, "mem");
    if (!server && !client_mode)
        return usage();
    if (server || !strcmp(mode, "mem")) {
        static app sap_local;
        app *sap = server ? &ap : &sap_local;
        sap->server = true;
        sap->loop = ap.loop;
        if ((rc = kz_transport_open(&srv, ap.loop, &cfg, &cbs, sap)) < 0 ||
            (rc = kz_transport_listen(srv, url)) < 0) {
            fprintf(stderr, "listen %s: %s\n", url, errname(rc));
            return 1;
        }
        printf("listening on %s\n", url);
        fflush(stdout);
    }
    if (server) {
        kz_loop_run(ap.loop, KZ_RUN_DEFAULT);   /* until a signal */
        kz_transport_close(srv);
        kz_loop_close(ap.loop);
        return 0;
    }
    ap.payload = malloc(ap.size);
    ap.rtt = malloc(sizeof *ap.rtt * (size_t)ap.count * (size_t)ap.assocs);
    ap.cl = calloc((size_t)ap.assocs, sizeof *ap.cl);
    for (size_t i = 0; i < ap.size; i++)
        ap.payload[i] = (uint8_t)(i * 31);
    if ((rc = kz_transport_open(&cli, ap.loop, &cfg, &cbs, &ap)) < 0)
        return 1;
    kz_loop_update_time(ap.loop);
    int64_t t0 = kz_loop_now(ap.loop);
    for (int i = 0; i < ap.assocs; i++) {
        if ((rc = kz_transport_connect(cli, url, &ap.cl[i].a)) < 0) {
            fprintf(stderr, "connect %s: %s\n", url, errname(rc));
            return 1;
        }
        kz_assoc_set_ud(ap.cl[i].a, &ap.cl[i]);
    }
    kz_loop_run(ap.loop, KZ_RUN_DEFAULT);
    kz_loop_update_time(ap.loop);
    report(&ap, (kz_loop_now(ap.loop) - t0) / 1e9);
    int bad = ap.failed || ap.nrtt != (size_t)ap.count * (size_t)ap.assocs;
    kz_transport_close(cli);
    if (srv)
        kz_transport_close(srv);
    kz_loop_run(ap.loop, KZ_RUN_NOWAIT);
    kz_loop_close(ap.loop);
    printf("%s\n", bad ? "FAIL" : "OK");
    free(ap.payload);
    free(ap.rtt);
    free(ap.cl);
    return bad ? 1 : 0;
}
