/*
 * SHA-256 against the FIPS 180 examples (NIST's "SHA256.pdf" and the
 * long-message vector), fed whole and in awkward pieces: the audit
 * chain is only as good as this.
 */

#include <string.h>

#include "sha256.h"
#include "test.h"

static void
hash_in_pieces(const char *msg, size_t piece, char hex[SHA256_HEX_LEN + 1])
{
	struct sha256	 s;
	uint8_t		 d[SHA256_LEN];
	size_t		 len = strlen(msg), n;

	sha256_init(&s);
	while (len > 0) {
		n = piece < len ? piece : len;
		sha256_update(&s, msg, n);
		msg += n;
		len -= n;
	}
	sha256_final(&s, d);
	sha256_hex(d, hex);
}

static const struct {
	const char	*msg;
	const char	*hex;
} vectors[] = {
	{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ "abc",
	  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
};

TEST(fips_vectors)
{
	static const size_t	 pieces[] = { 1, 3, 55, 56, 63, 64, 65, 1000 };
	char			 hex[SHA256_HEX_LEN + 1];
	size_t			 i, j;

	for (i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
		for (j = 0; j < sizeof pieces / sizeof pieces[0]; j++) {
			hash_in_pieces(vectors[i].msg, pieces[j], hex);
			ASSERT_STR_EQ(hex, vectors[i].hex);
		}
	}
}

/* One million "a": the message spans many blocks (FIPS 180-2 C.3). */
TEST(million_a)
{
	struct sha256	 s;
	uint8_t		 d[SHA256_LEN];
	char		 a[1000], hex[SHA256_HEX_LEN + 1];
	int		 i;

	memset(a, 'a', sizeof a);
	sha256_init(&s);
	for (i = 0; i < 1000; i++)
		sha256_update(&s, a, sizeof a);
	sha256_final(&s, d);
	sha256_hex(d, hex);
	ASSERT_STR_EQ(hex, "cdc76e5c9914fb9281a1c7e284d73e67"
	    "f1809a48a497200e046d39ccc7112cd0");
}

/* The padding's edge: 55 bytes fit one block, 56 need a second. */
TEST(padding_edges)
{
	char	 msg[129], a[SHA256_HEX_LEN + 1], b[SHA256_HEX_LEN + 1];
	size_t	 len;

	memset(msg, 'x', sizeof msg - 1);
	for (len = 50; len <= 128; len++) {
		msg[len] = '\0';
		hash_in_pieces(msg, len, a);
		hash_in_pieces(msg, 1, b);
		ASSERT_STR_EQ(a, b);
		msg[len] = 'x';
	}
	msg[55] = '\0';
	hash_in_pieces(msg, 55, a);
	msg[55] = 'x';
	msg[56] = '\0';
	hash_in_pieces(msg, 56, b);
	ASSERT(strcmp(a, b) != 0);
}

static const struct test tests[] = {
	TEST_ENTRY(fips_vectors),
	TEST_ENTRY(million_a),
	TEST_ENTRY(padding_edges),
	TEST_END
};

int
main(int argc, char **argv)
{
	return test_run(tests, argc, argv);
}
