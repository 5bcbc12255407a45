/*
 * cli/cmd_encode.c -- `kizuna encode`: JSON in the asn1-oracle's shape back to APER bytes.
 *
 * Reads what `kizuna decode` prints: the oracle shape, optionally with the E2SM annotations
 * (dropped, or used to build a payload that is given only as JSON) and the pcap wrapper
 * ({"frame":..,"pdu":{..}}).  So `kizuna decode - | kizuna encode -` gives back the input.
 */
#include <ctype.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/e2sm_nest.h"
#include "kizuna/asn_json.h"
#include "kizuna/e2ap.h"

static void usage(FILE *f)
{
    fprintf(f,
"usage: kizuna encode [OPTIONS] JSON            a JSON value on the command line\n"
"       kizuna encode [OPTIONS] -f FILE         JSON values in a file ('-' = stdin)\n"
"       kizuna encode [OPTIONS] -               JSON values on stdin\n"
"\n"
"Encodes each JSON value (in the shape ../shared/tools/asn1-oracle and kizuna decode print;\n"
"several may follow each other, e.g. one per line) as APER and prints it as one hex line.\n"
"\n"
"Accepted on top of the oracle's shape: the wrapper kizuna decode --pcap prints (its \"pdu\"\n"
"is encoded) and the E2SM annotations of kizuna decode: keys with a '.' are ignored, except\n"
"that an octet string \"X\" that is absent is encoded from \"X.decoded\" with the type named in\n"
"\"X.e2sm\" (e.g. \"kpm:E2SM-KPM-IndicationMessage\", or \"ccc\" for E2SM-CCC JSON).  When\n"
"both are there the hex in \"X\" wins, so decode | encode gives back the same bytes.\n"
"\n"
"Options:\n"
"  -f, --file FILE      read the JSON from FILE ('-' = stdin)\n"
"  --type SET:TYPE      encode this type instead of e2ap:E2AP-PDU (SET e2ap, kpm, rc:\n"
"                       any ASN.1 type name, e.g. rc:E2SM-RC-ControlHeader; or ccc:\n"
"                       E2SM-CCC, the JSON written compactly)\n"
"  --bin FILE           write the bytes to FILE instead of hex on stdout (one value only)\n"
"  --list-types [SET]   print the type names --type accepts\n"
"  -h, --help           this text\n"
"\n"
"Exit status: 0 all encoded; 2 bad usage, unreadable file, bad JSON (line and column) or\n"
"JSON that does not match the type (the JSON path and what was expected there).\n");
}

typedef struct kz__encode {
    const kz_asn_type *type;
    const char *type_name;
    bool ccc;
    FILE *bin;
    const char *bin_path;
    unsigned n_done;
} kz__encode;

/* Encode one JSON value; where names it for messages. */
static int encode_one(kz__encode *e, json_t *j, const char *where)
{
    char err[1024];
    if (!e->ccc && e->type == &kz_e2ap_E2AP_PDU_desc && json_is_object(j)) {
        json_t *pdu = json_object_get(j, "pdu");
        if (pdu) {
            j = pdu;
        } else if (json_object_get(j, "frame") && json_object_get(j, "error")) {
            fprintf(stderr, "kizuna encode: %s: a decode error record (frame %lld), no \"pdu\" "
                    "to encode\n", where,
                    (long long)json_integer_value(json_object_get(j, "frame")));
            return KZ_CLI_BAD_INPUT;
        }
    }
    if (kz_nest_strip(j, err, sizeof err)) {
        fprintf(stderr, "kizuna encode: %s: %s\n", where, err);
        return KZ_CLI_BAD_INPUT;
    }
    uint8_t *out = NULL;
    long len = -1;
    char *text = NULL;
    void *mem = NULL;
    if (e->ccc) {
        text = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
        out = (uint8_t *)text;
        len = text ? (long)strlen(text) : -1;
        if (!text)
            fprintf(stderr, "kizuna encode: %s: cannot write the JSON\n", where);
    } else {
        size_t cap = 1 << 20;
        for (;;) {
            mem = malloc(cap);
            out = malloc(cap);
            if (!mem || !out) {
                fprintf(stderr, "kizuna encode: out of memory\n");
                break;
            }
            kz_arena a;
            kz_arena_init(&a, mem, cap);
            kz_asn_diag diag;
            kz_asn_diag_init(&diag);
            void *val;
            char d[512];
            int rc = kz_asn_from_json(e->type, j, &a, &val, &diag);
            if (rc == 0) {
                kz_asn_diag_init(&diag);
                len = kz_asn_encode(e->type, val, out, cap, &diag);
                rc = len < 0 ? (int)len : 0;
                if (rc && rc != KZ_ENOSPC)
                    fprintf(stderr, "kizuna encode: %s: cannot encode as %s: %s\n", where,
                            e->type_name, kz_asn_diag_format(&diag, d, sizeof d));
            } else if (rc != KZ_ENOMEM) {
                /* A JSON error has no bit offset: name the JSON path, jq style. */
                fprintf(stderr, "kizuna encode: %s: JSON does not match %s at $%s: %s\n", where,
                        e->type_name, diag.path, diag.detail[0] ? diag.detail
                        : kz_strerror(diag.code));
            }
            if ((rc == KZ_ENOSPC || rc == KZ_ENOMEM) && cap < ((size_t)1 << 28)) {
                free(mem);
                free(out);
                mem = NULL;
                out = NULL;
                len = -1;
                cap *= 4;
                continue;
            }
            break;
        }
    }
    int rc = KZ_CLI_BAD_INPUT;
    if (len >= 0) {
        if (e->bin) {
            if (e->n_done > 0) {
                fprintf(stderr, "kizuna encode: %s: --bin takes one value only\n", where);
            } else if (fwrite(out, 1, (size_t)len, e->bin) != (size_t)len) {
                fprintf(stderr, "kizuna encode: %s: write failed\n", e->bin_path);
            } else {
                rc = KZ_CLI_OK;
            }
        } else {
            char *hex = kz_cli_bytes_to_hex(out, (size_t)len);
            if (hex) {
                puts(hex);
                rc = KZ_CLI_OK;
            }
            free(hex);
        }
        e->n_done++;
    }
    if (e->ccc)
        free(text);
    else
        free(out);
    free(mem);
    return rc;
}

static unsigned line_of(const char *text, size_t off)
{
    unsigned line = 1;
    for (size_t i = 0; i < off; i++)
        line += text[i] == '\n';
    return line;
}

/* A sequence of JSON values (whitespace between them). */
static int encode_text(kz__encode *e, const char *text, size_t n, const char *source)
{
    size_t off = 0;
    unsigned k = 0;
    int rc = KZ_CLI_OK;
    for (;;) {
        while (off < n && isspace((unsigned char)text[off]))
            off++;
        if (off >= n)
            break;
        k++;
        json_error_t je;
        json_t *j = json_loadb(text + off, n - off, JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY, &je);
        if (!j) {
            unsigned line = line_of(text, off) + (unsigned)(je.line > 0 ? je.line - 1 : 0);
            fprintf(stderr, "kizuna encode: %s: line %u column %d: bad JSON: %s\n", source, line,
                    je.column, je.text);
            return KZ_CLI_BAD_INPUT;
        }
        char where[160];
        snprintf(where, sizeof where, "%s value %u (line %u)", source, k, line_of(text, off));
        if (encode_one(e, j, where) != KZ_CLI_OK)
            rc = KZ_CLI_BAD_INPUT;
        json_decref(j);
        off += je.position;
    }
    if (k == 0) {
        fprintf(stderr, "kizuna encode: %s: no JSON value\n", source);
        return KZ_CLI_BAD_INPUT;
    }
    return rc;
}

int kz_cmd_encode(int argc, char **argv)
{
    enum { O_TYPE = 1000, O_BIN, O_LIST };
    static const struct option opts[] = {
        {"file", required_argument, NULL, 'f'},
        {"type", required_argument, NULL, O_TYPE},
        {"bin", required_argument, NULL, O_BIN},
        {"list-types", optional_argument, NULL, O_LIST},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    kz__encode e = {.type = &kz_e2ap_E2AP_PDU_desc, .type_name = "e2ap:E2AP-PDU"};
    const char *file = NULL;
    char type_name[200], err[256];
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
        switch (c) {
        case 'f': file = optarg; break;
        case O_BIN: e.bin_path = optarg; break;
        case O_LIST:
            kz_cli_types_list(stdout, optarg ? optarg : (optind < argc && argv[optind][0] != '-'
                                                         ? argv[optind] : NULL));
            return KZ_CLI_OK;
        case O_TYPE: {
            const char *set;
            if (!strcmp(optarg, "ccc") || !strncmp(optarg, "ccc:", 4)) {
                e.ccc = true;
                e.type_name = "E2SM-CCC JSON";
                break;
            }
            e.type = kz_cli_type_find(optarg, &set);
            if (!e.type) {
                fprintf(stderr, "kizuna encode: --type %s: no such type (kizuna encode "
                        "--list-types lists them)\n", optarg);
                return KZ_CLI_BAD_INPUT;
            }
            snprintf(type_name, sizeof type_name, "%s:%s", set, e.type->name);
            e.type_name = type_name;
            break;
        }
        case 'h':
            usage(stdout);
            return KZ_CLI_OK;
        default:
            fprintf(stderr, "kizuna encode: unknown option or missing argument: '%s'\n\n",
                    argv[optind - 1]);
            usage(stderr);
            return KZ_CLI_BAD_INPUT;
        }
    }
    int nsources = (file != NULL) + (argc - optind);
    if (nsources != 1) {
        fprintf(stderr, "kizuna encode: %s\n\n", nsources ? "give one input: JSON, - or -f FILE"
                : "no input: give JSON, - or -f FILE");
        usage(stderr);
        return KZ_CLI_BAD_INPUT;
    }
    if (e.bin_path) {
        e.bin = fopen(e.bin_path, "wb");
        if (!e.bin) {
            perror(e.bin_path);
            return KZ_CLI_BAD_INPUT;
        }
    }
    int rc;
    if (!file && strcmp(argv[optind], "-")) {
        rc = encode_text(&e, argv[optind], strlen(argv[optind]), "argument");
    } else {
        const char *path = file ? file : "-";
        uint8_t *text;
        size_t n;
        if (kz_cli_read_file(path, &text, &n, err, sizeof err)) {
            fprintf(stderr, "kizuna encode: %s\n", err);
            rc = KZ_CLI_BAD_INPUT;
        } else {
            rc = encode_text(&e, (const char *)text, n, strcmp(path, "-") ? path : "stdin");
            free(text);
        }
    }
    if (e.bin && fclose(e.bin) && rc == KZ_CLI_OK) {
        perror(e.bin_path);
        rc = KZ_CLI_BAD_INPUT;
    }
    return rc;
}
