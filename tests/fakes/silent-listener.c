/*
 * silent-listener: a TCP server that accepts connections on loopback and
 * then says nothing, ever. Stands in for a host whose sshd hangs before its
 * banner, so tests can check that ssh's ConnectTimeout (and the bot's own
 * deadline) fire instead of waiting forever.
 *
 * usage: silent-listener PORTFILE
 *
 * Binds 127.0.0.1 on an ephemeral port, writes the port number and a
 * newline to PORTFILE (via a temporary file and rename, so a reader never
 * sees half of it), then accepts connections and keeps them open without
 * reading or writing. Exits 0 on SIGTERM or SIGINT, and on its own after
 * 120 seconds so a forgotten one cannot linger.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum {
	LIFETIME_S = 120, /* hard bound on how long we run */
	MAX_HELD = 1024,  /* connections kept open at once */
};

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
write_port(const char *path, unsigned port)
{
	char tmp[4096];
	FILE *f;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		fprintf(stderr, "silent-listener: path too long: %s\n", path);
		return -1;
	}
	f = fopen(tmp, "w");
	if (!f) {
		fprintf(stderr, "silent-listener: %s: %s\n", tmp,
		        strerror(errno));
		return -1;
	}
	fprintf(f, "%u\n", port);
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		fprintf(stderr, "silent-listener: %s: %s\n", path,
		        strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	struct sigaction act;
	int held[MAX_HELD];
	int nheld = 0;
	double deadline;
	int one = 1;
	int lfd;

	if (argc != 2) {
		fprintf(stderr, "usage: silent-listener PORTFILE\n");
		return 2;
	}

	memset(&act, 0, sizeof(act));
	act.sa_handler = on_signal; /* no SA_RESTART: poll returns EINTR */
	sigemptyset(&act.sa_mask);
	sigaction(SIGTERM, &act, NULL);
	sigaction(SIGINT, &act, NULL);

	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0) {
		perror("silent-listener: socket");
		return 1;
	}
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = 0;
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(lfd, 128) != 0 ||
	    getsockname(lfd, (struct sockaddr *)&sa, &len) != 0) {
		perror("silent-listener: bind/listen");
		return 1;
	}
	if (write_port(argv[1], ntohs(sa.sin_port)) != 0)
		return 1;

	deadline = now_s() + LIFETIME_S;
	while (!stop) {
		struct pollfd p = { .fd = lfd, .events = POLLIN };
		double left = deadline - now_s();
		int fd;

		if (left <= 0)
			break;
		if (poll(&p, 1, (int)(left * 1000) + 1) <= 0)
			continue; /* timeout, EINTR: re-check */
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		if (nheld < MAX_HELD)
			held[nheld++] = fd; /* hold it, silently */
		else
			close(fd);
	}

	while (nheld > 0)
		close(held[--nheld]);
	close(lfd);
	return 0;
}
