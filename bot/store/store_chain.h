/*
 * The audit trail's hash chain (docs/operations.md, "The audit trail's
 * hash chain"): each row written since schema v8 carries prev_hash, the
 * hash of the row before it, and hash, SHA-256 over a canonical encoding
 * of prev_hash and the row's own columns. A changed, removed, added or
 * moved row breaks the chain where it happened; `opsbot --verify-audit`
 * walks it (store_audit_verify).
 */
#ifndef OPSBOT_STORE_CHAIN_H
#define OPSBOT_STORE_CHAIN_H

#include <stdint.h>

#include "sha256.h"

/*
 * What the first row of the chain links to when no prefix was pruned:
 * 64 zeros (no real row hashes to it).
 */
#define STORE_CHAIN_GENESIS						\
	"0000000000000000000000000000000000000000000000000000000000000000"

/*
 * The columns a row's hash covers, in the order they are encoded; the
 * first is the previous row's hash. store_audit_verify and the INSERT
 * read and write them in this order.
 */
#define STORE_CHAIN_COLUMNS						\
	"prev_hash, id, ts, platform, user, user_name, channel, command, " \
	"outcome, detail, duration_ms, via, thread"
#define STORE_CHAIN_NCOLUMNS	13

/* What store_audit_verify found. */
struct store_audit_verdict {
	int64_t	 checked;	/* chained rows whose link and hash held */
	int64_t	 legacy;	/* rows written before the chain (no hash) */
	int64_t	 anchor_upto;	/* retention pruned rows up to this id; 0 */
	int64_t	 anchor_at_ms;	/* when it last pruned */
	char	 anchor_hash[SHA256_HEX_LEN + 1];	/* of row anchor_upto */
	int64_t	 tail_id;	/* the last chained row; 0 if none */
	char	 tail_hash[SHA256_HEX_LEN + 1];	/* or the chain's start */
	int	 broken;	/* 1: bad_id, bad_ts_ms and what say where */
	int64_t	 bad_id;
	int64_t	 bad_ts_ms;	/* 0 when the row is gone */
	char	*what;		/* what differs; caller frees */
};

/*
 * Walks the audit chain of the store file at path on a read-only
 * connection of its own, in one read transaction (the bot may run).
 * tail, "ID:HASH" or NULL: a tail recorded earlier (from a previous
 * verify), which must still be in the chain, so a truncated tail is
 * found too. Returns 0 with *v filled (v->broken says whether it holds),
 * or -1 if the file cannot be read, with *cause set (may be NULL;
 * caller frees). The caller frees v->what.
 */
int	 store_audit_verify(const char *path, const char *tail,
	    struct store_audit_verdict *v, char **cause);

#endif
