/*
 * The audit chain's hash (see store_chain.h), and the SQL function that
 * lets the INSERT compute it: the write stays one statement, and the
 * link to the previous row is read inside it, so no tail is kept in
 * memory that a rolled-back transaction or another connection could
 * make stale.
 *
 * The encoding, value by value in STORE_CHAIN_COLUMNS order:
 *	NULL	0x00
 *	integer	0x01, 8 bytes big-endian two's complement
 *	real	0x02, 8 bytes big-endian IEEE 754 bits
 *	text	0x03, 8 bytes big-endian length, the UTF-8 bytes
 *	blob	0x04, 8 bytes big-endian length, the bytes
 * Every value says its kind and length, so no two rows encode alike
 * (an empty detail differs from none, "a" "bc" from "ab" "c").
 */

#include <sqlite3.h>
#include <string.h>

#include "cause.h"
#include "store_chain.h"
#include "store_int.h"

static void
chain_u64(struct sha256 *h, uint8_t kind, uint64_t v)
{
	uint8_t	 b[9];
	int	 i;

	b[0] = kind;
	for (i = 0; i < 8; i++)
		b[1 + i] = (uint8_t)(v >> (56 - 8 * i));
	sha256_update(h, b, sizeof b);
}

static void
chain_value(struct sha256 *h, sqlite3_value *v)
{
	double	 d;
	uint64_t bits;
	int	 n;

	switch (sqlite3_value_type(v)) {
	case SQLITE_INTEGER:
		chain_u64(h, 0x01, (uint64_t)sqlite3_value_int64(v));
		break;
	case SQLITE_FLOAT:
		d = sqlite3_value_double(v);
		memcpy(&bits, &d, sizeof bits);
		chain_u64(h, 0x02, bits);
		break;
	case SQLITE_TEXT:
		/* The bytes first: _bytes after _text measures the UTF-8. */
		{
			const unsigned char *t = sqlite3_value_text(v);

			n = sqlite3_value_bytes(v);
			chain_u64(h, 0x03, (uint64_t)n);
			sha256_update(h, t, (size_t)n);
		}
		break;
	case SQLITE_BLOB:
		{
			const void *b = sqlite3_value_blob(v);

			n = sqlite3_value_bytes(v);
			chain_u64(h, 0x04, (uint64_t)n);
			sha256_update(h, b, (size_t)n);
		}
		break;
	default:
		sha256_update(h, "", 1);	/* NULL: one zero byte */
		break;
	}
}

/* The row's hash from its values, as lowercase hex. */
static void
store_chain_hash(sqlite3_value **vals, int n, char out[SHA256_HEX_LEN + 1])
{
	struct sha256	 h;
	uint8_t		 d[SHA256_LEN];
	int		 i;

	sha256_init(&h);
	for (i = 0; i < n; i++)
		chain_value(&h, vals[i]);
	sha256_final(&h, d);
	sha256_hex(d, out);
}

/* opsbot_audit_hash(prev_hash, id, ts, ...): the row's hash, as hex. */
static void
chain_sql_hash(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	char	 hex[SHA256_HEX_LEN + 1];

	store_chain_hash(argv, argc, hex);
	sqlite3_result_text(ctx, hex, SHA256_HEX_LEN, SQLITE_TRANSIENT);
}

int
store_chain_register(sqlite3 *db, char **cause)
{
	/* DIRECTONLY: no trigger or view planted in the file may call it. */
	if (sqlite3_create_function_v2(db, "opsbot_audit_hash",
	    STORE_CHAIN_NCOLUMNS, SQLITE_UTF8 | SQLITE_DETERMINISTIC |
	    SQLITE_DIRECTONLY, NULL, chain_sql_hash, NULL, NULL, NULL) !=
	    SQLITE_OK) {
		cause_set(cause, "cannot register the audit hash: %s",
		    sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}
