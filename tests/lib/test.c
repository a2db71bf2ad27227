/* The unit test runner (see test.h). */

#include <sys/stat.h>

#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <unistd.h>

#include "test.h"

jmp_buf	 test_jmp;
int	 test_failed;

static char	 test_dir[PATH_MAX];

static int
test_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void
test_cleanup(void)
{
	if (test_dir[0] != '\0')
		nftw(test_dir, test_rm, 16, FTW_DEPTH | FTW_PHYS);
}

const char *
test_tmpdir(void)
{
	if (test_dir[0] == '\0') {
		static const char tmpl[] = "/tmp/opsbot-test.XXXXXX";

		memcpy(test_dir, tmpl, sizeof tmpl);
		if (mkdtemp(test_dir) == NULL) {
			perror("mkdtemp");
			exit(2);
		}
		atexit(test_cleanup);
	}
	return test_dir;
}

const char *
test_write_file(const char *name, const char *text, int mode)
{
	static char	 path[PATH_MAX];
	int		 fd;
	size_t		 n = strlen(text);

	snprintf(path, sizeof path, "%s/%s", test_tmpdir(), name);
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd == -1 || write(fd, text, n) != (ssize_t)n) {
		perror(path);
		exit(2);
	}
	fchmod(fd, (mode_t)mode);
	close(fd);
	return path;
}

static int
test_selected(const char *name, int argc, char **argv)
{
	int	 i;

	if (argc < 2)
		return 1;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], name) == 0)
			return 1;
	}
	return 0;
}

/* Returns 1 if the test passed; a failed assertion longjmps here. */
static int
test_one(const struct test *t)
{
	if (setjmp(test_jmp) != 0)
		return 0;
	t->fn();
	return 1;
}

int
test_run(const struct test *tests, int argc, char **argv)
{
	int			 passed = 0, failed = 0;
	const struct test	*t;

	for (t = tests; t->name != NULL; t++) {
		if (!test_selected(t->name, argc, argv))
			continue;
		if (test_one(t)) {
			printf("ok   %s\n", t->name);
			passed++;
		} else {
			printf("FAIL %s\n", t->name);
			failed++;
		}
		fflush(stdout);
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed == 0 && passed > 0 ? 0 : 1;
}
