/*
 * A small test runner in the spirit of libuv's task.h: each test is a
 * function in a table; a failed assertion reports file, line and values,
 * then the runner moves to the next test. Each unit file is one ctest
 * test (its own process). The last line is "N passed, M failed".
 */
#ifndef OPSBOT_TEST_H
#define OPSBOT_TEST_H

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct test {
	const char	*name;
	void		(*fn)(void);
};

#define TEST(name)	static void name(void)
#define TEST_ENTRY(name)	{ #name, name }
#define TEST_END	{ NULL, NULL }

extern jmp_buf	test_jmp;
extern int	test_failed;

#define TEST_FAIL(...) do {						\
	fprintf(stderr, "  %s:%d: ", __FILE__, __LINE__);		\
	fprintf(stderr, __VA_ARGS__);					\
	fputc('\n', stderr);						\
	longjmp(test_jmp, 1);						\
} while (0)

#define ASSERT(c) do {							\
	if (!(c))							\
		TEST_FAIL("assertion failed: %s", #c);			\
} while (0)

#define ASSERT_INT_EQ(a, b) do {					\
	long long _a = (long long)(a), _b = (long long)(b);		\
	if (_a != _b)							\
		TEST_FAIL("%s == %s: %lld != %lld", #a, #b, _a, _b);	\
} while (0)

#define ASSERT_STR_EQ(a, b) do {					\
	const char *_a = (a), *_b = (b);				\
	if (_a == NULL || _b == NULL || strcmp(_a, _b) != 0)		\
		TEST_FAIL("%s == %s:\n    got:      \"%s\"\n    expected: \"%s\"", \
		    #a, #b, _a ? _a : "(null)", _b ? _b : "(null)");	\
} while (0)

#define ASSERT_CONTAINS(hay, needle) do {				\
	const char *_h = (hay), *_n = (needle);				\
	if (_h == NULL || strstr(_h, _n) == NULL)			\
		TEST_FAIL("%s contains \"%s\":\n    got: \"%s\"", #hay, _n,	\
		    _h ? _h : "(null)");				\
} while (0)

#define ASSERT_NULL(p)		ASSERT((p) == NULL)
#define ASSERT_NOT_NULL(p)	ASSERT((p) != NULL)

/* Runs tests[] (or only those named in argv); returns the exit code. */
int	 test_run(const struct test *tests, int argc, char **argv);

/* A fresh temporary directory for this process; removed at exit. */
const char *test_tmpdir(void);
/* Writes text to dir/name with mode; returns the path (static buffer). */
const char *test_write_file(const char *name, const char *text, int mode);

#endif
