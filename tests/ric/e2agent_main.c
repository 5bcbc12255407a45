/*
 * tests/ric/e2agent_main.c -- `kz-test-e2agent URL [GNB_ID] [PERIOD_MS]`: the test agent as a
 * process, for the end-to-end test over real sockets.  Answers E2 setup, subscriptions and
 * controls, and sends one KPM indication (format 1: RRU.PrbUsedDl, PEE.AvgPower) per period for
 * every action of the last subscription, until SIGTERM.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "kizuna/e2sm_kpm.h"

static volatile sig_atomic_t g_stop;
static void on_sig(int s) { (void)s; g_stop = 1; }

typedef struct ctx {
    agent ag;
    int64_t seq;
    kz_timer t;
    uint8_t scratch[1 << 16];
} ctx;

static void tick(kz_timer *t, void *ud)
{
    ctx *c = ud;
    (void)t;
    if (g_stop) {
        kz_loop_stop(c->ag.loop);
        return;
    }
    if (!c->ag.setup_done || c->ag.sub_req == 0)
        return;
    static const kz_kpm_metric m[] = {{.name = "RRU.PrbUsedDl"}, {.name = "PEE.AvgPower"}};
    kz_kpm_value v[2] = {{.kind = KZ_KPM_VALUE_INT, .i = 10 + c->seq % 50},
                         {.kind = KZ_KPM_VALUE_REAL, .r = 250.5 + (double)(c->seq % 7)}};
    kz_kpm_report r = {.metrics = m, .n_metrics = 2, .values = v, .n_periods = 1, .granul_ms = 100};
    uint8_t hdr[256], msg[1024];
    kz_kpm_header_info hi = {.unix_ns = kz_loop_epoch_ns(c->ag.loop)};
    long hl = kz_kpm_build_header(&hi, hdr, sizeof hdr);
    kz_arena a;
    kz_arena_init(&a, c->scratch, sizeof c->scratch);
    long ml = kz_kpm_build_message_f1(&r, &a, msg, sizeof msg);
    if (hl > 0 && ml > 0) {
        kz_e2ap_pdu pdu;
        memset(&pdu, 0, sizeof pdu);
        pdu.present = kz_e2ap_E2AP_PDU_initiatingMessage;
        pdu.u.initiatingMessage.present = kz_e2ap_InitiatingMessage_RICindication;
        kz_e2ap_RICindication *ind = &pdu.u.initiatingMessage.u.RICindication;
        ind->RICrequestID = c->ag.last_sub;
        ind->RANfunctionID = c->ag.last_ranf;
        ind->RICactionID = 1;
        ind->has_RICindicationSN = true;
        ind->RICindicationSN = c->seq;
        ind->RICindicationHeader.buf = hdr;
        ind->RICindicationHeader.len = (uint32_t)hl;
        ind->RICindicationMessage.buf = msg;
        ind->RICindicationMessage.len = (uint32_t)ml;
        agent_send_pdu(&c->ag, &pdu);
    }
    c->seq++;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: kz-test-e2agent URL [GNB_ID] [PERIOD_MS]\n");
        return 2;
    }
    static ctx c;
    kz_loop *loop;
    if (kz_loop_open(&loop, NULL) < 0)
        return 1;
    signal(SIGTERM, on_sig);
    signal(SIGINT, on_sig);
    agent_open(&c.ag, loop, argv[1], argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 0) : 0xe00);
    int64_t period = (argc > 3 ? atoi(argv[3]) : 100) * KZ_NS_PER_MS;
    kz_timer_init(loop, &c.t);
    kz_timer_start(&c.t, period, period, tick, &c);
    kz_loop_run(loop, KZ_RUN_DEFAULT);
    kz_timer_stop(&c.t);
    fprintf(stderr, "e2agent: setup_resp=%d sub_req=%d sent=%lld err_ind=%d\n", c.ag.setup_resp,
            c.ag.sub_req, (long long)c.seq, c.ag.err_ind);
    agent_close(&c.ag);
    kz_loop_close(loop);
    return 0;
}
