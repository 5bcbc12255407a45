/*
 * cli/cmd_decode.c -- `kizuna decode`: E2AP PDUs (or any E2AP / E2SM type) to JSON.
 *
 * Output is the JSON asn1-oracle prints (one compact document per line, or --pretty), so the two
 * can be compared mechanically; by default the E2SM payloads are shown decoded next to their hex
 * (e2sm_nest.h), in keys containing a '.', which --no-e2sm leaves out.  docs/cli.md is the
 * user's description; this file's --help must say the same.
 */
#include <ctype.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/e2sm_nest.h"
#include "cli/pcap_e2ap.h"
#include "kizuna/asn_json.h"
#include "kizuna/e2ap.h"

typedef struct kz__decode {
    const kz_asn_type *type;   /* E2AP-PDU unless --type */
    const char *type_name;     /* "e2ap:E2AP-PDU", "kpm:...", "ccc" */
    bool ccc;                  /* --type ccc: the bytes are JSON text */
    bool pretty;
    bool nest;                 /* annotate E2SM payloads (E2AP-PDU only) */
    kz_nest *nest_ctx;
    unsigned failed;
    unsigned pcap_msgs;        /* E2AP messages (or frame problems) found in the capture */
} kz__decode;

static void usage(FILE *f)
{
    fprintf(f,
"usage: kizuna decode [OPTIONS] HEX...          hex on the command line (one PDU each)\n"
"       kizuna decode [OPTIONS] -               hex on stdin\n"
"       kizuna decode [OPTIONS] --bin FILE      one PDU in a binary file ('-' = stdin)\n"
"       kizuna decode [OPTIONS] --pcap FILE     E2AP over SCTP in a pcap / pcapng capture\n"
"\n"
"Prints each PDU as JSON in the shape ../shared/tools/asn1-oracle prints: one compact\n"
"document per line (or indented with --pretty).\n"
"\n"
"Hex input: whitespace, ':' and a leading 0x are ignored; on stdin, lines starting with '#'\n"
"are comments.  Several hex lines on stdin are one PDU per line, unless the first line does\n"
"not decode on its own and all lines joined do: one PDU written over lines (xxd -p style).\n"
"\n"
"E2SM payloads (default on): the octet strings ranFunctionDefinition,\n"
"ricEventTriggerDefinition, ricActionDefinition and the IEs RICindicationHeader/Message,\n"
"RICcallProcessID, RICcontrolHeader/Message/Outcome, RICqueryHeader/Definition/Outcome are\n"
"decoded by the service model of their RAN function, learnt from the ranFunctionOID of an\n"
"E2setupRequest / RICserviceUpdate earlier in the same input (OID 1.3.6.1.4.1.53148.1.<v>.2.2\n"
"KPM, .2.3 RC, .2.4 CCC).  Next to \"X\": \"<hex>\" come \"X.e2sm\": \"SET:Type\" and either\n"
"\"X.decoded\": {...} or \"X.error\": \"why\" (for an IE, X is \"value\").  KPM v1/v2/v3 share\n"
"one OID: payloads are tried as KPM v03.00 and an error says when they are not.\n"
"\n"
"Options:\n"
"  --pcap FILE              read a capture: Ethernet/SLL/SLL2/raw IP/loopback, IPv4/IPv6,\n"
"                           SCTP or SCTP over UDP port 9899 (RFC 6951); DATA and I-DATA\n"
"                           chunks with PPID 70 or port 36421 (fragments reassembled when\n"
"                           in order).  Each PDU is wrapped: {\"frame\":N,\"time\":\"ISO-8601\",\n"
"                           \"src\":\"ip:port\",\"dst\":\"ip:port\",\"stream\":S,\"ppid\":P,\n"
"                           \"message\":\"RICindication\",\"pdu\":{...}}; an undecodable one is\n"
"                           {\"frame\":N,...,\"error\":\"...\"} and the run goes on (exit 1)\n"
"  --bin FILE               the whole file is one PDU\n"
"  --type SET:TYPE          decode as this type instead of e2ap:E2AP-PDU; SET is e2ap, kpm,\n"
"                           rc (any ASN.1 type name, e.g. kpm:E2SM-KPM-IndicationMessage or\n"
"                           rc:ControlHeader), or ccc (E2SM-CCC: the bytes are JSON text)\n"
"  --ran-function [ID=]SM   SM is kpm, rc or ccc: the service model of every RAN function, or\n"
"                           of RAN function ID (repeatable); wins over what the input says\n"
"  --no-e2sm                leave E2SM payloads as hex: output exactly as asn1-oracle\n"
"  --pretty                 indent the JSON\n"
"  --list-types [SET]       print the type names --type accepts\n"
"  -h, --help               this text\n"
"\n"
"Exit status: 0 all decoded; 2 bad input (not hex, odd length, undecodable PDU with its\n"
"ASN.1 path and bit offset, unreadable file, not a capture) or bad usage; in --pcap mode 1\n"
"when some PDUs failed (each reported in the output) and the capture was otherwise read.\n");
}

static void print_json(const kz__decode *d, json_t *j)
{
    char *s = json_dumps(j, (d->pretty ? JSON_INDENT(2) : JSON_COMPACT) | JSON_ENCODE_ANY);
    if (s) {
        fputs(s, stdout);
        fputc('\n', stdout);
        free(s);
    }
}

/* Decode one value to JSON; NULL and a message in err if it does not decode. */
static json_t *decode_to_json(kz__decode *d, const uint8_t *buf, size_t len, const char *assoc,
                              const char **msg_name, char *err, size_t errcap)
{
    if (d->ccc) {
        json_error_t je;
        json_t *j = json_loadb((const char *)buf, len, JSON_DECODE_ANY, &je);
        if (!j)
            snprintf(err, errcap, "not E2SM-CCC JSON: line %d column %d: %s", je.line,
                     je.column, je.text);
        return j;
    }
    void *mem, *val;
    kz_asn_diag diag;
    int rc = kz_cli_decode_value(d->type, buf, len, &mem, &val, &diag);
    if (rc) {
        char m[512];
        snprintf(err, errcap, "%s", kz_asn_diag_format(&diag, m, sizeof m));
        return NULL;
    }
    json_t *j = kz_asn_to_json(d->type, val);
    if (msg_name && d->type == &kz_e2ap_E2AP_PDU_desc)
        *msg_name = kz_e2ap_message_name(val);   /* a static name: outlives mem */
    free(mem);
    if (!j) {
        snprintf(err, errcap, "out of memory");
        return NULL;
    }
    if (d->nest)
        kz_nest_annotate(d->nest_ctx, assoc, j);
    return j;
}

/* One value given as bytes; where names it for messages ("argument 2", "stdin line 4"). */
static int decode_bytes(kz__decode *d, const uint8_t *buf, size_t len, const char *where)
{
    char err[1024];
    json_t *j = decode_to_json(d, buf, len, "", NULL, err, sizeof err);
    if (!j) {
        fprintf(stderr, "kizuna decode: %s: %zu byte%s do not decode as %s: %s\n", where, len,
                len == 1 ? "" : "s", d->type_name, err);
        return KZ_CLI_BAD_INPUT;
    }
    print_json(d, j);
    json_decref(j);
    return KZ_CLI_OK;
}

static int decode_hex(kz__decode *d, const char *text, size_t n, const char *where)
{
    uint8_t *buf;
    size_t len;
    char err[160];
    if (kz_cli_hex_to_bytes(text, n, &buf, &len, err, sizeof err)) {
        fprintf(stderr, "kizuna decode: %s: %s\n", where, err);
        return KZ_CLI_BAD_INPUT;
    }
    if (len == 0) {
        fprintf(stderr, "kizuna decode: %s: no hex digits\n", where);
        free(buf);
        return KZ_CLI_BAD_INPUT;
    }
    int rc = decode_bytes(d, buf, len, where);
    free(buf);
    return rc;
}

/* Does this hex line decode on its own (quietly)? */
static bool line_decodes(kz__decode *d, const char *text, size_t n)
{
    uint8_t *buf;
    size_t len;
    char err[160];
    if (kz_cli_hex_to_bytes(text, n, &buf, &len, err, sizeof err))
        return false;
    bool ok = false;
    if (len) {
        if (d->ccc) {
            json_t *j = json_loadb((const char *)buf, len, JSON_DECODE_ANY, NULL);
            ok = j != NULL;
            json_decref(j);
        } else {
            void *mem, *val;
            kz_asn_diag diag;
            ok = kz_cli_decode_value(d->type, buf, len, &mem, &val, &diag) == 0;
            if (ok)
                free(mem);
        }
    }
    free(buf);
    return ok;
}

typedef struct kz__line {
    const char *p;
    size_t n;
    unsigned lineno;
} kz__line;

/* All lines joined into one malloc'd string (NULL on out of memory). */
static char *join(const kz__line *lines, size_t nl, size_t *n)
{
    size_t total = 0;
    for (size_t i = 0; i < nl; i++)
        total += lines[i].n;
    char *blob = malloc(total + 1), *w = blob;
    if (!blob)
        return NULL;
    for (size_t i = 0; i < nl; i++) {
        memcpy(w, lines[i].p, lines[i].n);
        w += lines[i].n;
    }
    *w = 0;
    *n = total;
    return blob;
}

static int decode_stdin_hex(kz__decode *d)
{
    uint8_t *text;
    size_t n;
    char err[256];
    if (kz_cli_read_file("-", &text, &n, err, sizeof err)) {
        fprintf(stderr, "kizuna decode: %s\n", err);
        return KZ_CLI_BAD_INPUT;
    }
    /* Lines with hex in them ('#' comments and blank lines dropped). */
    kz__line *lines = NULL;
    size_t nl = 0;
    unsigned lineno = 0;
    const char *s = (const char *)text, *end = s + n;
    while (s < end) {
        const char *e = memchr(s, '\n', (size_t)(end - s));
        if (!e)
            e = end;
        lineno++;
        const char *t = s;
        while (t < e && isspace((unsigned char)*t))
            t++;
        if (t < e && *t != '#') {
            kz__line *l = realloc(lines, (nl + 1) * sizeof *l);
            if (!l)
                break;
            lines = l;
            lines[nl++] = (kz__line){s, (size_t)(e - s), lineno};
        }
        s = e + 1;
    }
    int rc = KZ_CLI_OK;
    char *blob = NULL;
    size_t nblob = 0;
    if (nl == 0) {
        fprintf(stderr, "kizuna decode: stdin: no hex (only blank or '#' lines)\n");
        rc = KZ_CLI_BAD_INPUT;
    } else if (nl > 1 && !line_decodes(d, lines[0].p, lines[0].n) && (blob = join(lines, nl, &nblob))
               && line_decodes(d, blob, nblob)) {
        /* One PDU over several lines (xxd -p style). */
        rc = decode_hex(d, blob, nblob, "stdin (hex joined from all lines)");
    } else {
        for (size_t i = 0; i < nl; i++) {
            char where[48];
            snprintf(where, sizeof where, "stdin line %u", lines[i].lineno);
            if (decode_hex(d, lines[i].p, lines[i].n, where) != KZ_CLI_OK)
                rc = KZ_CLI_BAD_INPUT;
        }
    }
    free(blob);
    free(lines);
    free(text);
    return rc;
}

/* ---- pcap ---------------------------------------------------------------------------------- */

static int on_pcap_msg(const kz_pcap_msg *m, void *arg)
{
    kz__decode *d = arg;
    d->pcap_msgs++;
    json_t *w = json_object();
    char ts[64], frac[16];
    time_t sec = (time_t)m->ts_sec;
    struct tm tm;
    gmtime_r(&sec, &tm);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(frac, sizeof frac, ".%09uZ", m->ts_nsec % 1000000000u);
    strncat(ts, frac, sizeof ts - strlen(ts) - 1);
    json_object_set_new(w, "frame", json_integer((json_int_t)m->frame));
    json_object_set_new(w, "time", json_string(ts));
    json_object_set_new(w, "src", json_string(m->src));
    json_object_set_new(w, "dst", json_string(m->dst));
    if (m->error) {
        json_object_set_new(w, "error", json_string(m->error));
        d->failed++;
    } else {
        json_object_set_new(w, "stream", json_integer(m->stream));
        json_object_set_new(w, "ppid", json_integer(m->ppid));
        if (m->fragments > 1)
            json_object_set_new(w, "fragments", json_integer(m->fragments));
        /* The association, whichever way this message goes. */
        char assoc[140];
        bool fwd = strcmp(m->src, m->dst) <= 0;
        snprintf(assoc, sizeof assoc, "%s|%s", fwd ? m->src : m->dst, fwd ? m->dst : m->src);
        char err[1024];
        const char *name = NULL;
        json_t *pdu = decode_to_json(d, m->data, m->len, assoc, &name, err, sizeof err);
        if (pdu) {
            if (name)
                json_object_set_new(w, "message", json_string(name));
            json_object_set_new(w, "pdu", pdu);
        } else {
            char *hex = kz_cli_bytes_to_hex(m->data, m->len);
            json_object_set_new(w, "error", json_string(err));
            if (hex)
                json_object_set_new(w, "hex", json_string(hex));
            free(hex);
            d->failed++;
        }
    }
    print_json(d, w);
    json_decref(w);
    return 0;
}

static int decode_pcap(kz__decode *d, const char *path)
{
    char err[512];
    int rc = kz_pcap_e2ap_read(path, on_pcap_msg, d, err, sizeof err);
    fflush(stdout);
    if (rc < 0) {
        fprintf(stderr, "kizuna decode: %s\n", err);
        return KZ_CLI_BAD_INPUT;
    }
    if (d->pcap_msgs == 0)
        fprintf(stderr, "kizuna decode: %s: no E2AP found (SCTP DATA / I-DATA chunks with PPID "
                "70 or port 36421)\n", path);
    if (d->failed) {
        fprintf(stderr, "kizuna decode: %s: %u PDU(s) or frame(s) failed (see \"error\" in the "
                "output)\n", path, d->failed);
        return KZ_CLI_PARTIAL;
    }
    return KZ_CLI_OK;
}

/* ---- main ---------------------------------------------------------------------------------- */

int kz_cmd_decode(int argc, char **argv)
{
    enum { O_BIN = 1000, O_PCAP, O_TYPE, O_RANF, O_NO_E2SM, O_E2SM, O_PRETTY, O_LIST };
    static const struct option opts[] = {
        {"bin", required_argument, NULL, O_BIN},
        {"pcap", required_argument, NULL, O_PCAP},
        {"type", required_argument, NULL, O_TYPE},
        {"ran-function", required_argument, NULL, O_RANF},
        {"no-e2sm", no_argument, NULL, O_NO_E2SM},
        {"e2sm", no_argument, NULL, O_E2SM},
        {"pretty", no_argument, NULL, O_PRETTY},
        {"list-types", optional_argument, NULL, O_LIST},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    kz__decode d = {.type = &kz_e2ap_E2AP_PDU_desc, .type_name = "e2ap:E2AP-PDU", .nest = true};
    const char *bin = NULL, *pcap = NULL;
    char err[256];
    int rc = KZ_CLI_OK;
    d.nest_ctx = kz_nest_new();
    if (!d.nest_ctx)
        return KZ_CLI_BAD_INPUT;
    char type_name[200];
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case O_BIN: bin = optarg; break;
        case O_PCAP: pcap = optarg; break;
        case O_PRETTY: d.pretty = true; break;
        case O_NO_E2SM: d.nest = false; break;
        case O_E2SM: d.nest = true; break;
        case O_LIST:
            kz_cli_types_list(stdout, optarg ? optarg : (optind < argc && argv[optind][0] != '-'
                                                         ? argv[optind] : NULL));
            if (!optarg)
                fprintf(stdout, "ccc (E2SM-CCC JSON)\n");
            goto out;
        case O_RANF:
            if (kz_nest_force(d.nest_ctx, optarg, err, sizeof err)) {
                fprintf(stderr, "kizuna decode: %s\n", err);
                rc = KZ_CLI_BAD_INPUT;
                goto out;
            }
            break;
        case O_TYPE: {
            const char *set;
            if (!strcmp(optarg, "ccc") || !strncmp(optarg, "ccc:", 4)) {
                d.ccc = true;
                d.type = NULL;
                d.type_name = "E2SM-CCC JSON";
                break;
            }
            d.type = kz_cli_type_find(optarg, &set);
            if (!d.type) {
                fprintf(stderr, "kizuna decode: --type %s: no such type (kizuna decode "
                        "--list-types lists them)\n", optarg);
                rc = KZ_CLI_BAD_INPUT;
                goto out;
            }
            snprintf(type_name, sizeof type_name, "%s:%s", set, d.type->name);
            d.type_name = type_name;
            break;
        }
        case 'h':
            usage(stdout);
            goto out;
        default:
            if (optopt)
                fprintf(stderr, "kizuna decode: option '%s' needs an argument or is unknown\n\n",
                        argv[optind - 1]);
            else
                fprintf(stderr, "kizuna decode: unknown option '%s'\n\n", argv[optind - 1]);
            usage(stderr);
            rc = KZ_CLI_BAD_INPUT;
            goto out;
        }
    }
    if (d.type != &kz_e2ap_E2AP_PDU_desc)
        d.nest = false;   /* payload-level types are shown as they are */
    int nsources = (bin != NULL) + (pcap != NULL) + (optind < argc);
    if (nsources != 1) {
        fprintf(stderr, "kizuna decode: %s\n\n", nsources ? "give one kind of input: HEX..., -,"
                " --bin FILE or --pcap FILE" : "no input: give HEX, -, --bin FILE or --pcap FILE");
        usage(stderr);
        rc = KZ_CLI_BAD_INPUT;
        goto out;
    }
    if (pcap) {
        rc = decode_pcap(&d, pcap);
    } else if (bin) {
        uint8_t *buf;
        size_t len;
        if (kz_cli_read_file(bin, &buf, &len, err, sizeof err)) {
            fprintf(stderr, "kizuna decode: %s\n", err);
            rc = KZ_CLI_BAD_INPUT;
        } else {
            rc = len ? decode_bytes(&d, buf, len, bin) : KZ_CLI_BAD_INPUT;
            if (!len)
                fprintf(stderr, "kizuna decode: %s: empty file\n", bin);
            free(buf);
        }
    } else {
        for (int i = optind; i < argc; i++) {
            int r;
            if (!strcmp(argv[i], "-")) {
                r = decode_stdin_hex(&d);
            } else {
                char where[32];
                snprintf(where, sizeof where, "argument %d", i - optind + 1);
                r = decode_hex(&d, argv[i], strlen(argv[i]), where);
            }
            if (r != KZ_CLI_OK)
                rc = r;
        }
    }
out:
    fflush(stdout);
    kz_nest_free(d.nest_ctx);
    return rc;
}
