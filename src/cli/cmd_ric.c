/*
 * cli/cmd_ric.c -- `kizuna ric`: the near-RT RIC daemon (the kz_ric library plus flags, a JSON
 * config file, signals and a status line).
 *
 * Why thin: everything the RIC does is in src/ric so that `kizuna demo` and the tests run the
 * same code; this file only turns a command line into a kz_ric_cfg and a wall-clock loop, and
 * turns SIGINT/SIGTERM into an orderly shutdown (E2 nodes and xApps see their associations closed
 * cleanly, bounded by 2 s).
 *
 * Precedence: defaults < config file (--config) < flags.  Exit: 0 after a clean shutdown, 2 on
 * bad usage or a configuration the RIC refuses (message on stderr), 1 if shutdown timed out.
 */
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "kizuna/error.h"
#include "kizuna/loop.h"
#include "kizuna/ric.h"

#define MAXL 16

typedef struct opts {
    const char *e2[MAXL], *bus[MAXL], *allow[256];
    size_t ne2, nbus, nallow;
    bool e2_set, bus_set;
    kz_ric_cfg cfg;
    uint32_t status_s;
    json_t *json;   /* keeps config strings alive */
} opts;

static kz_async *g_sig;   /* the one thing a signal handler may touch */

static void on_signal(int signo)
{
    (void)signo;
    if (g_sig)
        kz_async_send(g_sig);
}

static void usage(FILE *f)
{
    fprintf(f,
        "usage: kizuna ric [OPTIONS]\n\n"
        "The near-RT RIC: E2 termination, subscriptions, indication/control routing, xApp bus.\n\n"
        "  --config FILE        JSON config (keys below; flags override it)\n"
        "  --e2 URL             E2 listen address, repeatable (sctp://H:36421, sctp+udp://H:9899)\n"
        "                       default: sctp+udp://0.0.0.0:9899\n"
        "  --bus URL            xApp bus listen address, repeatable (unix:///path, tcp://H:P)\n"
        "                       default: unix:///tmp/kizuna-ric.sock\n"
        "  --token T            shared token tcp:// xApps must present\n"
        "  --allow ID           admit only these nodes: PLMN (00101) or node name, repeatable\n"
        "  --ric-id N           20-bit RIC id (1)          --plmn MCCMNC  RIC PLMN (00101)\n"
        "  --sub-timeout MS     subscription answer wait (2000)   --sub-retries N (2)\n"
        "  --control-timeout MS default control timeout (2000)\n"
        "  --grace MS           keep a disconnected xApp's subscriptions (10000)\n"
        "  --setup-wait MS      E2 setup must arrive within (5000)\n"
        "  --queue BYTES        per-xApp send queue bound (1048576)\n"
        "  --log-level L        error|warn|info|debug (info); logfmt lines on stderr\n"
        "  --pcap FILE          write every E2AP message sent/received (tshark: e2ap)\n"
        "  --status S           a status line every S seconds (10; 0 = off)\n\n"
        "Config file: {\"e2\": [URL...], \"bus\": [URL...], \"token\": T, \"allow\": [ID...],\n"
        "  \"ric_id\": N, \"plmn\": \"00101\", \"log_level\": L, \"pcap\": FILE, \"queue_bytes\": N,\n"
        "  \"timeouts\": {\"subscription_ms\", \"subscription_retries\", \"control_ms\",\n"
        "                \"xapp_grace_ms\", \"setup_ms\", \"delete_ms\", \"reset_ms\"}}\n"
        "Documentation: docs/ric.md\n");
}

static int parse_level(const char *s, enum kz_ric_log_level *out)
{
    static const char *const n[] = {"error", "warn", "info", "debug"};
    for (int i = 0; i < 4; i++)
        if (!strcmp(s, n[i])) {
            *out = (enum kz_ric_log_level)i;
            return 0;
        }
    return -1;
}

static int parse_plmn(const char *s, uint8_t out[3])
{
    size_t n = strlen(s);
    if (n != 5 && n != 6)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return -1;
    int d[6];
    for (size_t i = 0; i < n; i++)
        d[i] = s[i] - '0';
    out[0] = (uint8_t)(d[1] << 4 | d[0]);
    out[1] = (uint8_t)((n == 6 ? d[5] : 0xf) << 4 | d[2]);
    out[2] = (uint8_t)(d[4] << 4 | d[3]);
    return 0;
}

static int parse_u32(const char *s, uint32_t *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end || v > UINT32_MAX)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

static int bad(const char *what, const char *val)
{
    fprintf(stderr, "kizuna ric: bad %s '%s'\n", what, val ? val : "");
    return KZ_CLI_BAD_INPUT;
}

static int load_config(opts *o, const char *path)
{
    json_error_t err;
    json_t *j = json_load_file(path, 0, &err);
    if (!j) {
        fprintf(stderr, "kizuna ric: %s:%d:%d: %s\n", path, err.line, err.column, err.text);
        return KZ_CLI_BAD_INPUT;
    }
    o->json = j;
    if (!json_is_object(j)) {
        fprintf(stderr, "kizuna ric: %s: the config must be a JSON object\n", path);
        return KZ_CLI_BAD_INPUT;
    }
    const char *key;
    json_t *v;
    json_object_foreach(j, key, v) {
        if (!strcmp(key, "e2") || !strcmp(key, "bus") || !strcmp(key, "allow")) {
            if (!json_is_array(v))
                return bad("config (array expected) at", key);
            size_t i;
            json_t *e;
            json_array_foreach(v, i, e) {
                if (!json_is_string(e))
                    return bad("config (string expected) in", key);
                const char *s = json_string_value(e);
                if (!strcmp(key, "e2") && o->ne2 < MAXL)
                    o->e2[o->ne2++] = s, o->e2_set = true;
                else if (!strcmp(key, "bus") && o->nbus < MAXL)
                    o->bus[o->nbus++] = s, o->bus_set = true;
                else if (!strcmp(key, "allow") && o->nallow < 256)
                    o->allow[o->nallow++] = s;
                else
                    return bad("config (too many entries) in", key);
            }
        } else if (!strcmp(key, "token") && json_is_string(v)) {
            o->cfg.bus_token = json_string_value(v);
        } else if (!strcmp(key, "pcap") && json_is_string(v)) {
            o->cfg.pcap_path = json_string_value(v);
        } else if (!strcmp(key, "log_level") && json_is_string(v)) {
            if (parse_level(json_string_value(v), &o->cfg.log_level) < 0)
                return bad("log_level", json_string_value(v));
        } else if (!strcmp(key, "plmn") && json_is_string(v)) {
            if (parse_plmn(json_string_value(v), o->cfg.plmn) < 0)
                return bad("plmn", json_string_value(v));
        } else if (!strcmp(key, "ric_id") && json_is_integer(v)) {
            o->cfg.ric_id = (uint32_t)json_integer_value(v);
        } else if (!strcmp(key, "queue_bytes") && json_is_integer(v) && json_integer_value(v) > 0) {
            o->cfg.xapp_queue_bytes = (size_t)json_integer_value(v);
        } else if (!strcmp(key, "timeouts") && json_is_object(v)) {
            const char *k2;
            json_t *t;
            json_object_foreach(v, k2, t) {
                if (!json_is_integer(t) || json_integer_value(t) < 0 ||
                    json_integer_value(t) > UINT32_MAX)
                    return bad("config timeouts value for", k2);
                uint32_t x = (uint32_t)json_integer_value(t);
                if (!strcmp(k2, "subscription_ms")) o->cfg.sub_timeout_ms = x;
                else if (!strcmp(k2, "subscription_retries")) o->cfg.sub_retries = x;
                else if (!strcmp(k2, "control_ms")) o->cfg.control_timeout_ms = x;
                else if (!strcmp(k2, "xapp_grace_ms")) o->cfg.xapp_grace_ms = x;
                else if (!strcmp(k2, "setup_ms")) o->cfg.setup_wait_ms = x;
                else if (!strcmp(k2, "delete_ms")) o->cfg.del_timeout_ms = x;
                else if (!strcmp(k2, "reset_ms")) o->cfg.reset_timeout_ms = x;
                else return bad("config key timeouts.", k2);
            }
        } else {
            return bad("config key (or its type)", key);
        }
    }
    return 0;
}

typedef struct run_state {
    kz_loop *loop;
    kz_ric *ric;
    kz_timer status;
    bool stopping;
    int64_t deadline;
} run_state;

static void status_cb(kz_timer *t, void *ud)
{
    run_state *rs = ud;
    (void)t;
    kz_ric_stats st;
    kz_ric_stats_get(rs->ric, &st);
    fprintf(stderr, "level=info msg=\"status\" nodes_up=%u xapps_up=%u e2_subs=%u ind_rx=%llu "
            "ind_routed=%llu ind_dropped=%llu bad_pdus=%llu controls=%llu\n",
            st.nodes_up, st.xapps_up, st.e2_subs, (unsigned long long)st.indications_rx,
            (unsigned long long)st.indications_routed, (unsigned long long)st.indications_dropped,
            (unsigned long long)st.e2_bad_pdus, (unsigned long long)st.controls_tx);
}

static void sig_cb(kz_async *a, void *ud)
{
    run_state *rs = ud;
    (void)a;
    if (rs->stopping) {   /* a second signal: stop now */
        kz_loop_stop(rs->loop);
        return;
    }
    rs->stopping = true;
    kz_ric_shutdown(rs->ric);
    rs->deadline = kz_loop_now(rs->loop) + 2 * KZ_NS_PER_S;
    kz_loop_stop(rs->loop);
}

int kz_cmd_ric(int argc, char **argv)
{
    opts o;
    memset(&o, 0, sizeof o);
    kz_ric_cfg_default(&o.cfg);
    o.status_s = 10;
    int rc;
    bool e2_flag = false, bus_flag = false;
    /* config first, so flags win */
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--config")) {
            if (i + 1 >= argc)
                return bad("--config", "");
            if ((rc = load_config(&o, argv[i + 1])) != 0)
                goto out;
        }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            rc = KZ_CLI_OK;
            goto out;
        }
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) {
            usage(stderr);
            rc = bad("option (missing value)", a);
            goto out;
        }
        i++;
        uint32_t u;
        rc = KZ_CLI_BAD_INPUT;
        if (!strcmp(a, "--config")) {
            continue;
        } else if (!strcmp(a, "--e2")) {   /* flags replace the config file's list */
            if (!e2_flag)
                o.ne2 = 0;
            e2_flag = o.e2_set = true;
            if (o.ne2 < MAXL) o.e2[o.ne2++] = v;
        } else if (!strcmp(a, "--bus")) {
            if (!bus_flag)
                o.nbus = 0;
            bus_flag = o.bus_set = true;
            if (o.nbus < MAXL) o.bus[o.nbus++] = v;
        } else if (!strcmp(a, "--token")) {
            o.cfg.bus_token = v;
        } else if (!strcmp(a, "--allow")) {
            if (o.nallow < 256) o.allow[o.nallow++] = v;
        } else if (!strcmp(a, "--pcap")) {
            o.cfg.pcap_path = v;
        } else if (!strcmp(a, "--log-level")) {
            if (parse_level(v, &o.cfg.log_level) < 0) { rc = bad("--log-level", v); goto out; }
        } else if (!strcmp(a, "--plmn")) {
            if (parse_plmn(v, o.cfg.plmn) < 0) { rc = bad("--plmn", v); goto out; }
        } else if (parse_u32(v, &u) < 0) {
            usage(stderr);
            rc = bad(a, v);
            goto out;
        } else if (!strcmp(a, "--ric-id")) {
            o.cfg.ric_id = u;
        } else if (!strcmp(a, "--sub-timeout")) {
            o.cfg.sub_timeout_ms = u;
        } else if (!strcmp(a, "--sub-retries")) {
            o.cfg.sub_retries = u;
        } else if (!strcmp(a, "--control-timeout")) {
            o.cfg.control_timeout_ms = u;
        } else if (!strcmp(a, "--grace")) {
            o.cfg.xapp_grace_ms = u;
        } else if (!strcmp(a, "--setup-wait")) {
            o.cfg.setup_wait_ms = u;
        } else if (!strcmp(a, "--queue")) {
            o.cfg.xapp_queue_bytes = u;
        } else if (!strcmp(a, "--status")) {
            o.status_s = u;
        } else {
            usage(stderr);
            rc = bad("option", a);
            goto out;
        }
    }
    if (!o.e2_set)
        o.e2[o.ne2++] = "sctp+udp://0.0.0.0:9899";
    if (!o.bus_set)
        o.bus[o.nbus++] = "unix:///tmp/kizuna-ric.sock";
    o.cfg.e2_listen = o.e2;
    o.cfg.n_e2_listen = o.ne2;
    o.cfg.bus_listen = o.bus;
    o.cfg.n_bus_listen = o.nbus;
    o.cfg.allow = o.allow;
    o.cfg.n_allow = o.nallow;

    run_state rs;
    memset(&rs, 0, sizeof rs);
    if (kz_loop_open(&rs.loop, NULL) < 0) {
        fprintf(stderr, "kizuna ric: cannot open the event loop\n");
        rc = KZ_CLI_PARTIAL;
        goto out;
    }
    int e = kz_ric_open(&rs.ric, rs.loop, &o.cfg);
    if (e < 0) {
        fprintf(stderr, "kizuna ric: cannot start: %s\n", kz_strerror(e));
        kz_loop_close(rs.loop);
        rc = KZ_CLI_BAD_INPUT;
        goto out;
    }
    kz_async sig;
    kz_async_init(rs.loop, &sig, sig_cb, &rs);
    g_sig = &sig;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    kz_timer_init(rs.loop, &rs.status);
    if (o.status_s)
        kz_timer_start(&rs.status, (int64_t)o.status_s * KZ_NS_PER_S,
                       (int64_t)o.status_s * KZ_NS_PER_S, status_cb, &rs);
    kz_loop_run(rs.loop, KZ_RUN_DEFAULT);
    rc = KZ_CLI_OK;
    if (rs.stopping) {
        while (!kz_ric_idle(rs.ric) && kz_loop_now(rs.loop) < rs.deadline)
            if (kz_loop_run_until(rs.loop, kz_loop_now(rs.loop) + 20 * KZ_NS_PER_MS) == 0)
                break;
        if (!kz_ric_idle(rs.ric))
            rc = KZ_CLI_PARTIAL;
    }
    kz_timer_stop(&rs.status);
    g_sig = NULL;
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    kz_async_close(&sig);
    kz_ric_close(rs.ric);
    if (kz_loop_close(rs.loop) < 0)
        fprintf(stderr, "kizuna ric: loop still had active handles at exit\n");
    fprintf(stderr, "level=info msg=\"stopped\" clean=%d\n", rc == KZ_CLI_OK);
out:
    if (o.json)
        json_decref(o.json);
    return rc;
}
