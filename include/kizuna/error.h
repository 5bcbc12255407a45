/*
 * kizuna/error.h -- one table of error codes for every Kizuna module.
 *
 * Why: callers (the RIC, the CLI, tests) must tell "the peer sent garbage" from "our buffer is
 * too small" without parsing strings.  Every function that can fail returns 0 or one of these
 * negative codes; kz_strerror() names it.  The table is an X-macro so the enum and the strings
 * cannot drift apart (libuv does the same).
 */
#ifndef KIZUNA_ERROR_H
#define KIZUNA_ERROR_H

#define KZ_ERRNO_MAP(X)                                                        \
    X(TRUNC,    -1, "input ends before the value does")                        \
    X(RANGE,    -2, "value outside its ASN.1 constraint")                      \
    X(NOSPC,    -3, "output buffer too small")                                 \
    X(NOMEM,    -4, "arena or table exhausted")                                \
    X(INVAL,    -5, "invalid argument")                                        \
    X(CHOICE,   -6, "unknown CHOICE alternative")                              \
    X(EXT,      -7, "extension present where the type has no extension marker")\
    X(MISSING,  -8, "mandatory IE or field missing")                           \
    X(UNKNOWN,  -9, "unknown IE with criticality reject")                      \
    X(TRAILING, -10, "trailing bytes after the value")                         \
    X(DEPTH,    -11, "nesting too deep")                                       \
    X(JSON,     -12, "JSON does not match the ASN.1 type")                     \
    X(IO,       -13, "I/O error")                                              \
    X(PROTO,    -14, "message not allowed by the protocol")                    \
    X(TIMEOUT,  -15, "timed out")                                              \
    X(CLOSED,   -16, "connection or association closed")                       \
    X(AGAIN,    -17, "try again later (would block / queue full)")             \
    X(NOTSUP,   -18, "not supported here")

enum kz_errno {
#define KZ__ERR_ENUM(name, code, text) KZ_E##name = code,
    KZ_ERRNO_MAP(KZ__ERR_ENUM)
#undef KZ__ERR_ENUM
};

/* Human-readable text for a code from the table (or "unknown error"). Never NULL. */
const char *kz_strerror(int code);

#endif
