/*
 * SHA-256 (FIPS 180-4), small and dependency-free: the audit trail's hash
 * chain needs a hash, and no crypto library is linked to the bot.
 */
#ifndef OPSBOT_SHA256_H
#define OPSBOT_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN	32
#define SHA256_HEX_LEN	64	/* without the NUL */

struct sha256 {
	uint32_t	 h[8];
	uint64_t	 bytes;		/* hashed so far */
	uint8_t		 block[64];
	size_t		 used;		/* bytes in block */
};

void	 sha256_init(struct sha256 *);
void	 sha256_update(struct sha256 *, const void *, size_t);
/* Writes the digest; the context must be initialized again to reuse. */
void	 sha256_final(struct sha256 *, uint8_t out[SHA256_LEN]);
/* The digest as lowercase hex into out (SHA256_HEX_LEN + 1 bytes). */
void	 sha256_hex(const uint8_t d[SHA256_LEN], char out[SHA256_HEX_LEN + 1]);

#endif
