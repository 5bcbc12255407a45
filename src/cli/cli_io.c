/*
 * cli/cli_io.c -- hex text, whole files and heap-backed decodes for the subcommands.
 * Not a hot path: plain malloc, clear messages.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int kz_cli_hex_to_bytes(const char *text, size_t n, uint8_t **out, size_t *len, char *err,
                        size_t errcap)
{
    uint8_t *buf = malloc(n / 2 + 1);
    if (!buf) {
        snprintf(err, errcap, "out of memory");
        return -1;
    }
    size_t nb = 0, digits = 0;
    int hi = -1;
    size_t i = 0;
    while (i < n && isspace((unsigned char)text[i]))
        i++;
    if (i + 1 < n && text[i] == '0' && (text[i + 1] == 'x' || text[i + 1] == 'X'))
        i += 2;
    for (; i < n; i++) {
        unsigned char c = (unsigned char)text[i];
        if (isspace(c) || c == ':')
            continue;
        int v = hexval(c);
        if (v < 0) {
            if (isprint(c))
                snprintf(err, errcap, "not a hex digit '%c' at character %zu", c, i + 1);
            else
                snprintf(err, errcap, "not a hex digit (byte 0x%02x) at character %zu", c, i + 1);
            free(buf);
            return -1;
        }
        digits++;
        if (hi < 0) {
            hi = v;
        } else {
            buf[nb++] = (uint8_t)(hi << 4 | v);
            hi = -1;
        }
    }
    if (hi >= 0) {
        snprintf(err, errcap, "odd number of hex digits (%zu): the last byte is incomplete",
                 digits);
        free(buf);
        return -1;
    }
    *out = buf;
    *len = nb;
    return 0;
}

char *kz_cli_bytes_to_hex(const uint8_t *buf, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    char *s = malloc(2 * len + 1);
    if (!s)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        s[2 * i] = digits[buf[i] >> 4];
        s[2 * i + 1] = digits[buf[i] & 15];
    }
    s[2 * len] = 0;
    return s;
}

int kz_cli_read_file(const char *path, uint8_t **out, size_t *len, char *err, size_t errcap)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f) {
        snprintf(err, errcap, "%s: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap + 1);
    while (buf) {
        if (n == cap) {
            uint8_t *nbuf = realloc(buf, 2 * cap + 1);
            if (!nbuf) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nbuf;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    int bad = !buf || ferror(f);
    int saved = errno;
    if (f != stdin)
        fclose(f);
    if (bad) {
        snprintf(err, errcap, "%s: %s", strcmp(path, "-") ? path : "stdin",
                 buf ? strerror(saved) : "out of memory");
        free(buf);
        return -1;
    }
    buf[n] = 0;
    *out = buf;
    *len = n;
    return 0;
}

int kz_cli_decode_value(const kz_asn_type *t, const uint8_t *buf, size_t len, void **mem,
                        void **out, kz_asn_diag *diag)
{
    size_t cap = 65536 + 256 * len;
    for (;;) {
        void *m = malloc(cap);
        if (!m)
            return KZ_ENOMEM;
        kz_arena a;
        kz_arena_init(&a, m, cap);
        kz_asn_diag_init(diag);
        int rc = kz_asn_decode(t, buf, len, &a, out, diag);
        if (rc == KZ_ENOMEM && cap < ((size_t)1 << 30)) {
            free(m);
            cap *= 4;
            continue;
        }
        if (rc) {
            free(m);
            *mem = NULL;
            return rc;
        }
        *mem = m;
        return 0;
    }
}

int kz_cli_number(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}
