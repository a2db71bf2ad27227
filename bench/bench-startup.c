/*
 * bench-startup: how fast opsbot starts, how much memory it holds idle and
 * how quickly it answers commands. Figures only; no test asserts them.
 *   bench-startup [-n RUNS] [-c COMMANDS] /path/to/opsbot
 * Ready is the READY=1 datagram opsbot sends to $NOTIFY_SOCKET, timed
 * from just before the spawn. Every run gets a fresh data dir under one
 * temporary directory, removed at the end.
 */

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define READY_TIMEOUT_MS	5000
#define EXIT_TIMEOUT_MS		30000
#define IDLE_SLEEP_S		2
#define TARGET_RSS_KB		(8 * 1024)
#define TARGET_READY_MS		50.0

extern char **environ;

struct bot {
	pid_t	 pid;
	int	 in_fd;		/* write end of its stdin, or -1 */
	int	 out_fd;	/* read end of its stdout, or -1 */
	int	 notify_fd;	/* our NOTIFY_SOCKET, or -1 */
	char	 dir[PATH_MAX];	/* its data dir */
	char	 err[PATH_MAX];	/* its stderr, kept for failures */
};

static const char	*opsbot_path;
static char		 top_dir[PATH_MAX];
static pid_t		 running = -1;	/* killed by fatal() */

static void
usage(void)
{
	fprintf(stderr, "usage: bench-startup [-n RUNS] [-c COMMANDS] "
	    "OPSBOT\n");
	exit(2);
}

/* A -n or -c value: 1 to 1000000. */
static int
parse_count(int flag, const char *s)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < 1 ||
	    v > 1000000) {
		fprintf(stderr, "bench-startup: -%c: expected a number "
		    "1-1000000, got '%s'\n", flag, s);
		exit(2);
	}
	return (int)v;
}

static double
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static int
remove_one(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	if (remove(path) != 0)
		fprintf(stderr, "bench-startup: remove %s: %s\n", path,
		    strerror(errno));
	return 0;
}

static void
cleanup(void)
{
	if (top_dir[0] != '\0')
		nftw(top_dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	top_dir[0] = '\0';
}

static void __attribute__((noreturn, format(printf, 1, 2)))
fatal(const char *fmt, ...)
{
	va_list	 ap;

	fputs("bench-startup: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (running != -1) {
		kill(running, SIGKILL);
		waitpid(running, NULL, 0);
	}
	cleanup();
	exit(1);
}

/* Shows what the bot said on stderr, for a run that went wrong. */
static void
show_stderr(const struct bot *b)
{
	char	 chunk[4096];
	ssize_t	 n;
	int	 fd;

	if ((fd = open(b->err, O_RDONLY | O_CLOEXEC)) == -1)
		return;
	fprintf(stderr, "bench-startup: opsbot's stderr:\n");
	while ((n = read(fd, chunk, sizeof chunk)) > 0)
		fwrite(chunk, 1, (size_t)n, stderr);
	close(fd);
}

/* A datagram socket at DIR/notify.sock, for NOTIFY_SOCKET. */
static int
notify_open(const char *dir, char *path, size_t len)
{
	struct sockaddr_un	 sun;
	int			 fd;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if ((size_t)snprintf(path, len, "%s/notify.sock", dir) >= len ||
	    strlen(path) >= sizeof sun.sun_path)
		fatal("socket path %s/notify.sock is too long", dir);
	memcpy(sun.sun_path, path, strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		fatal("socket: %s", strerror(errno));
	if (bind(fd, (struct sockaddr *)&sun, sizeof sun) != 0)
		fatal("bind %s: %s", path, strerror(errno));
	return fd;
}

/*
 * The environment with NOTIFY_SOCKET set and OPSBOT_CONFIG dropped, so the
 * bot runs on its embedded default. *var is the one string allocated.
 */
static char **
child_env(const char *sock, char **var)
{
	char	**env;
	size_t	  n = 0, i, j = 0;

	while (environ[n] != NULL)
		n++;
	if ((env = calloc(n + 2, sizeof *env)) == NULL)
		fatal("out of memory");
	for (i = 0; i < n; i++) {
		if (strncmp(environ[i], "NOTIFY_SOCKET=", 14) == 0 ||
		    strncmp(environ[i], "OPSBOT_CONFIG=", 14) == 0)
			continue;
		env[j++] = environ[i];
	}
	if (asprintf(var, "NOTIFY_SOCKET=%s", sock) == -1)
		fatal("out of memory");
	env[j] = *var;
	return env;
}

/*
 * Starts opsbot on a fresh data dir: stdin is a pipe we keep open (EOF
 * stops it), stdout /dev/null or a pipe, stderr a file. Returns the
 * monotonic time taken just before the spawn.
 */
static double
bot_spawn(struct bot *b, const char *name, int want_stdout)
{
	posix_spawn_file_actions_t	 fa;
	posix_spawnattr_t		 attr;
	sigset_t			 def, none;
	char				 sock[PATH_MAX], **env, *var;
	char				*argv[4];
	int				 in[2], out[2] = { -1, -1 }, rc;
	double				 t0;

	memset(b, 0, sizeof *b);
	b->pid = -1;
	b->in_fd = b->out_fd = b->notify_fd = -1;
	if ((size_t)snprintf(b->dir, sizeof b->dir, "%s/%s", top_dir,
	    name) >= sizeof b->dir || (size_t)snprintf(b->err, sizeof b->err,
	    "%s/%s.stderr", top_dir, name) >= sizeof b->err)
		fatal("path under %s is too long", top_dir);
	if (mkdir(b->dir, 0700) != 0)
		fatal("mkdir %s: %s", b->dir, strerror(errno));
	b->notify_fd = notify_open(b->dir, sock, sizeof sock);
	env = child_env(sock, &var);

	if (pipe2(in, O_CLOEXEC) != 0 ||
	    (want_stdout && pipe2(out, O_CLOEXEC) != 0))
		fatal("pipe: %s", strerror(errno));
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], STDIN_FILENO);
	if (want_stdout)
		posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
	else
		posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO,
		    "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, b->err,
	    O_WRONLY | O_CREAT | O_TRUNC, 0600);

	/* We ignore SIGPIPE; the bot starts with the defaults. */
	posix_spawnattr_init(&attr);
	sigemptyset(&def);
	sigaddset(&def, SIGPIPE);
	sigemptyset(&none);
	posix_spawnattr_setsigdefault(&attr, &def);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF |
	    POSIX_SPAWN_SETSIGMASK);

	argv[0] = (char *)"opsbot";
	argv[1] = (char *)"--data-dir";
	argv[2] = b->dir;
	argv[3] = NULL;
	t0 = now_ms();
	rc = posix_spawn(&b->pid, opsbot_path, &fa, &attr, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	free(var);
	free(env);
	close(in[0]);
	b->in_fd = in[1];
	if (want_stdout) {
		close(out[1]);
		b->out_fd = out[0];
	}
	if (rc != 0) {
		b->pid = -1;
		fatal("cannot run %s: %s", opsbot_path, strerror(rc));
	}
	running = b->pid;
	return t0;
}

/* Describes how a child ended, for messages. */
static const char *
describe_status(int status)
{
	static char	 s[64];

	if (WIFEXITED(status))
		snprintf(s, sizeof s, "exited with status %d",
		    WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(s, sizeof s, "was killed by signal %d",
		    WTERMSIG(status));
	else
		snprintf(s, sizeof s, "ended (status 0x%x)", status);
	return s;
}

/*
 * Waits for READY=1 on the notify socket. Returns the milliseconds since
 * t0, or -1 after a message if the bot exits or says nothing in time.
 */
static double
bot_wait_ready(struct bot *b, double t0)
{
	struct pollfd	 pfd;
	char		 msg[512], *line, *save;
	ssize_t		 n;
	double		 left;
	int		 status, rc;

	pfd.fd = b->notify_fd;
	pfd.events = POLLIN;
	for (;;) {
		left = t0 + READY_TIMEOUT_MS - now_ms();
		if (left <= 0) {
			fprintf(stderr, "bench-startup: opsbot sent no "
			    "READY=1 within %d ms\n", READY_TIMEOUT_MS);
			show_stderr(b);
			return -1;
		}
		/* Short slices, so an early exit is seen at once. */
		rc = poll(&pfd, 1, left > 100 ? 100 : (int)left + 1);
		if (rc < 0 && errno != EINTR)
			fatal("poll: %s", strerror(errno));
		if (rc <= 0) {
			if (waitpid(b->pid, &status, WNOHANG) == b->pid) {
				fprintf(stderr, "bench-startup: opsbot %s "
				    "before it was ready\n",
				    describe_status(status));
				b->pid = running = -1;
				show_stderr(b);
				return -1;
			}
			continue;
		}
		if ((n = recv(b->notify_fd, msg, sizeof msg - 1, 0)) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			fatal("recv: %s", strerror(errno));
		}
		msg[n] = '\0';
		for (line = strtok_r(msg, "\n", &save); line != NULL;
		    line = strtok_r(NULL, "\n", &save)) {
			if (strcmp(line, "READY=1") == 0)
				return now_ms() - t0;
		}
	}
}

/* Reads "Key:   123 kB" style fields from /proc/PID/status; -1 if absent. */
static void
proc_status(pid_t pid, long *rss_kb, long *hwm_kb, long *threads)
{
	char	 path[64], line[256];
	FILE	*f;

	*rss_kb = *hwm_kb = *threads = -1;
	snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return;
	while (fgets(line, sizeof line, f) != NULL) {
		if (sscanf(line, "VmRSS: %ld", rss_kb) == 1 ||
		    sscanf(line, "VmHWM: %ld", hwm_kb) == 1 ||
		    sscanf(line, "Threads: %ld", threads) == 1)
			continue;
	}
	fclose(f);
}

/*
 * Ends a bot: closes its stdin (EOF makes it stop cleanly), drains its
 * stdout and reaps it, killing it if it does not exit in time. Returns
 * the wait status; *ru gets its resource usage. *nout counts the bytes
 * it wrote to a stdout pipe.
 */
static int
bot_finish(struct bot *b, struct rusage *ru, size_t *nout)
{
	struct pollfd	 pfd;
	char		 chunk[65536];
	ssize_t		 n;
	double		 deadline = now_ms() + EXIT_TIMEOUT_MS;
	pid_t		 got;
	int		 status = 0;

	if (b->in_fd != -1)
		close(b->in_fd);
	b->in_fd = -1;
	while (b->out_fd != -1) {
		pfd.fd = b->out_fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 100) <= 0) {
			if (now_ms() > deadline)
				break;
			continue;
		}
		if ((n = read(b->out_fd, chunk, sizeof chunk)) > 0) {
			if (nout != NULL)
				*nout += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		close(b->out_fd);
		b->out_fd = -1;
	}
	while (b->pid != -1) {
		got = wait4(b->pid, &status, WNOHANG, ru);
		if (got == b->pid || (got == -1 && errno != EINTR))
			break;
		if (now_ms() > deadline) {
			fprintf(stderr, "bench-startup: opsbot did not exit "
			    "within %d ms of EOF; killing it\n",
			    EXIT_TIMEOUT_MS);
			kill(b->pid, SIGKILL);
			wait4(b->pid, &status, 0, ru);
			break;
		}
		usleep(1000);
	}
	b->pid = running = -1;
	if (b->out_fd != -1)
		close(b->out_fd);
	if (b->notify_fd != -1)
		close(b->notify_fd);
	b->out_fd = b->notify_fd = -1;
	return status;
}

static int
cmp_double(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Start-up to READY=1, runs times; returns the median. */
static double
bench_startup(int runs)
{
	struct bot	 b;
	double		*ms, t0, median;
	char		 name[32];
	int		 i, status;

	if ((ms = calloc((size_t)runs, sizeof *ms)) == NULL)
		fatal("out of memory");
	for (i = 0; i < runs; i++) {
		snprintf(name, sizeof name, "start-%d", i);
		t0 = bot_spawn(&b, name, 0);
		if ((ms[i] = bot_wait_ready(&b, t0)) < 0)
			fatal("run %d: opsbot never became ready", i + 1);
		status = bot_finish(&b, NULL, NULL);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			fprintf(stderr, "bench-startup: run %d: opsbot %s "
			    "after EOF\n", i + 1, describe_status(status));
	}
	qsort(ms, (size_t)runs, sizeof *ms, cmp_double);
	median = runs % 2 ? ms[runs / 2] :
	    (ms[runs / 2 - 1] + ms[runs / 2]) / 2;
	printf("startup_to_ready_ms min=%.2f median=%.2f max=%.2f (n=%d)\n",
	    ms[0], median, ms[runs - 1], runs);
	free(ms);
	return median;
}

/* Memory and threads of a bot sitting idle; returns VmRSS in kB. */
static long
bench_idle(void)
{
	struct bot	 b;
	long		 rss, hwm, threads;

	if (bot_wait_ready(&b, bot_spawn(&b, "idle", 0)) < 0)
		fatal("idle: opsbot never became ready");
	sleep(IDLE_SLEEP_S);
	proc_status(b.pid, &rss, &hwm, &threads);
	if (rss < 0)
		fatal("idle: cannot read /proc/%ld/status", (long)b.pid);
	bot_finish(&b, NULL, NULL);
	printf("idle_rss_kb=%ld (%.2f MB) vm_hwm_kb=%ld (%.2f MB) "
	    "threads=%ld (after %d s idle)\n", rss, rss / 1024.0, hwm,
	    hwm / 1024.0, threads, IDLE_SLEEP_S);
	return rss;
}

/*
 * Pipes n commands into a ready bot (mostly /whoami, some /help and
 * /status), closes its stdin and reads every answer until it exits.
 * Writes and reads are interleaved so neither pipe fills up and stalls.
 */
static void
bench_commands(int n)
{
	static const char *const cmds[] = { "/whoami\n", "/whoami\n",
	    "/whoami\n", "/whoami\n", "/whoami\n", "/whoami\n", "/whoami\n",
	    "/whoami\n", "/help\n", "/status\n" };
	struct bot	 b;
	struct pollfd	 pfd[2];
	struct rusage	 ru;
	const char	*cmd;
	char		*input, chunk[65536];
	size_t		 len = 0, off = 0, nout = 0, cl;
	ssize_t		 w;
	double		 t0, total;
	int		 i, rc, status;

	if ((input = malloc((size_t)n * 16 + 1)) == NULL)
		fatal("out of memory");
	for (i = 0; i < n; i++) {
		cmd = cmds[i % (int)(sizeof cmds / sizeof *cmds)];
		cl = strlen(cmd);
		memcpy(input + len, cmd, cl);
		len += cl;
	}

	if (bot_wait_ready(&b, bot_spawn(&b, "commands", 1)) < 0)
		fatal("commands: opsbot never became ready");
	if (fcntl(b.in_fd, F_SETFL, O_NONBLOCK) != 0)
		fatal("fcntl: %s", strerror(errno));
	t0 = now_ms();
	while (off < len) {
		pfd[0].fd = b.in_fd;
		pfd[0].events = POLLOUT;
		pfd[1].fd = b.out_fd;
		pfd[1].events = POLLIN;
		rc = poll(pfd, 2, EXIT_TIMEOUT_MS);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0)
			fatal("poll: %s", strerror(errno));
		if (rc == 0)
			fatal("commands: opsbot read nothing for %d ms",
			    EXIT_TIMEOUT_MS);
		if (pfd[1].revents != 0) {
			w = read(b.out_fd, chunk, sizeof chunk);
			if (w > 0)
				nout += (size_t)w;
			else if (w == 0)
				fatal("commands: opsbot closed its output "
				    "early");
		}
		if (pfd[0].revents & (POLLERR | POLLHUP))
			fatal("commands: opsbot closed its input early");
		if (pfd[0].revents & POLLOUT) {
			w = write(b.in_fd, input + off, len - off);
			if (w > 0)
				off += (size_t)w;
			else if (errno != EAGAIN && errno != EINTR)
				fatal("commands: write: %s", strerror(errno));
		}
	}
	memset(&ru, 0, sizeof ru);
	status = bot_finish(&b, &ru, &nout);
	total = now_ms() - t0;
	free(input);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fprintf(stderr, "bench-startup: commands: opsbot %s\n",
		    describe_status(status));
	printf("commands n=%d total_ms=%.1f per_command_us=%.1f "
	    "(%zu bytes of answers; includes audit writes to sqlite)\n", n,
	    total, total * 1000.0 / n, nout);
	printf("peak_rss_after_commands_kb=%ld (%.2f MB, ru_maxrss)\n",
	    ru.ru_maxrss, ru.ru_maxrss / 1024.0);
}

int
main(int argc, char **argv)
{
	const char	*tmp;
	long		 rss;
	double		 ready;
	int		 ch, runs = 20, ncmds = 20000;

	while ((ch = getopt(argc, argv, "n:c:h")) != -1) {
		switch (ch) {
		case 'n':
			runs = parse_count(ch, optarg);
			break;
		case 'c':
			ncmds = parse_count(ch, optarg);
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 1)
		usage();
	opsbot_path = argv[optind];
	if (access(opsbot_path, X_OK) != 0) {
		fprintf(stderr, "bench-startup: %s: %s\n", opsbot_path,
		    strerror(errno));
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);

	if ((tmp = getenv("TMPDIR")) == NULL || *tmp == '\0')
		tmp = "/tmp";
	if ((size_t)snprintf(top_dir, sizeof top_dir,
	    "%s/opsbot-bench.XXXXXX", tmp) >= sizeof top_dir ||
	    mkdtemp(top_dir) == NULL) {
		fprintf(stderr, "bench-startup: mkdtemp in %s: %s\n", tmp,
		    strerror(errno));
		top_dir[0] = '\0';
		return 1;
	}

	printf("opsbot bench: %s\n", opsbot_path);
	ready = bench_startup(runs);
	rss = bench_idle();
	bench_commands(ncmds);
	printf("targets: idle RSS < %d MB (%s), ready < %.0f ms (%s)\n",
	    TARGET_RSS_KB / 1024, rss < TARGET_RSS_KB ? "met" : "MISSED",
	    TARGET_READY_MS, ready < TARGET_READY_MS ? "met" : "MISSED");
	cleanup();
	return 0;
}
