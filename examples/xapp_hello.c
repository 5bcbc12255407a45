/*
 * examples/xapp_hello.c -- the smallest useful xApp: for every E2 node with KPM, subscribe to
 * node-level PRB usage every second and print each value.  Build (from a build dir):
 *
 *     cc -std=c11 -I include examples/xapp_hello.c -o xapp_hello \
 *        build/src/xapp/libkizuna-xapp.a build/src/net/libkz_net.a \
 *        build/src/proto/libkz_proto.a -ljansson -lusrsctp -lm -lpthread
 *     ./xapp_hello unix:///tmp/kizuna-ric.sock
 *
 * What it shows: discovery (on_node), a KPM subscription built with the helpers, indications
 * read with the KPM iterator, and that reconnects need no code (the SDK re-subscribes).
 */
#include <stdio.h>
#include <string.h>

#include "kizuna/e2sm_kpm.h"
#include "kizuna/loop.h"
#include "kizuna/xapp.h"

static void on_ind(kz_xapp *x, const kz_xapp_indication *ind, void *ud)
{
    (void)x;
    (void)ud;
    static uint8_t mem[1 << 16];
    kz_arena a;
    kz_arena_init(&a, mem, sizeof mem);
    const kz_kpm_E2SM_KPM_IndicationHeader *h;
    const kz_kpm_E2SM_KPM_IndicationMessage *m;
    if (kz_kpm_decode_header(ind->hdr, ind->hdr_len, &a, &h, NULL) < 0 ||
        kz_kpm_decode_message(ind->msg, ind->msg_len, &a, &m, NULL) < 0)
        return;
    kz_kpm_iter it;
    kz_kpm_iter_opts o = {0};
    kz_kpm_sample s;
    kz_kpm_iter_init(&it, h, m, &o);
    while (kz_kpm_iter_next(&it, &s))
        printf("node %u  %.*s = %g\n", ind->node, (int)s.name.len, (const char *)s.name.buf,
               s.v.kind == KZ_KPM_VALUE_INT ? (double)s.v.i : s.v.r);
}

static void on_state(kz_xapp *x, const kz_xapp_sub_event *ev, void *ud)
{
    (void)x;
    (void)ud;
    printf("subscription %u: state %d error %d\n", ev->sub, ev->state, ev->error);
}

static void on_node(kz_xapp *x, const kz_xapp_node *n, bool up, void *ud)
{
    (void)ud;
    printf("node %s %s\n", n->name, up ? "up" : "down");
    const kz_xapp_ran_function *kpm = kz_xapp_node_function_by_oid(n, KZ_KPM_OID);
    if (!up || !kpm)
        return;
    static uint8_t buf[4096], scratch_mem[1 << 16];
    kz_arena scratch;
    kz_arena_init(&scratch, scratch_mem, sizeof scratch_mem);
    kz_kpm_metric metric = {.name = "RRU.PrbUsedDl"};
    kz_kpm_cell_subscription cs = {.period_ms = 1000, .metrics = &metric, .n_metrics = 1};
    kz_kpm_blob trig, act;
    if (kz_kpm_build_cell_subscription(&cs, &scratch, buf, sizeof buf, &trig, &act, 1) != 1)
        return;
    kz_xapp_action a = {.id = 1, .type = KZ_XAPP_ACTION_REPORT, .def = act.buf, .def_len = act.len};
    kz_xapp_sub_req req = {.node = n->id, .ran_function = kpm->id, .trigger = trig.buf,
                           .trigger_len = trig.len, .actions = &a, .n_actions = 1};
    kz_xapp_sub_cbs cbs = {.on_state = on_state, .on_indication = on_ind};
    uint32_t id;
    /* a node that comes back keeps its subscription in the RIC: subscribe only once */
    static uint32_t done[1024];
    if (n->id < 1024 && !done[n->id] && kz_xapp_subscribe(x, &req, &cbs, NULL, &id) == 0)
        done[n->id] = id;
}

int main(int argc, char **argv)
{
    kz_loop *loop;
    kz_loop_open(&loop, NULL);
    kz_xapp_cfg cfg;
    kz_xapp_cfg_default(&cfg);
    cfg.url = argc > 1 ? argv[1] : "unix:///tmp/kizuna-ric.sock";
    cfg.name = "hello";
    kz_xapp_cbs cbs = {.on_node = on_node};
    kz_xapp *x;
    if (kz_xapp_open(&x, loop, &cfg, &cbs, NULL) < 0)
        return 2;
    kz_loop_run(loop, KZ_RUN_DEFAULT);   /* until killed */
    kz_xapp_close(x);
    kz_loop_close(loop);
    return 0;
}
