/*
 * netpoke: the client side of the listener tests, on loopback only.
 *
 * usage: netpoke flood PORT N
 *   Opens N TCP connections to 127.0.0.1:PORT and keeps them open, idle,
 *   until stdin reaches EOF (or 120 seconds pass). Prints "opened K" once
 *   every connect has been started and "closed" when it lets them go. It
 *   raises its own descriptor limit first so the client is never the side
 *   that runs out.
 *
 * usage: netpoke raw PORT
 *   Sends stdin, byte for byte (NULs and invalid UTF-8 included: what curl
 *   or bash cannot send), to 127.0.0.1:PORT, then prints everything the
 *   server answers until it closes the connection (5 s of silence at
 *   most).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int
netpoke_connect(int port, int nonblock)
{
	struct sockaddr_in	 sin;
	int			 fd;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return -1;
	if (nonblock)
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sin, sizeof sin) != 0 &&
	    errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
netpoke_flood(int port, int n)
{
	struct rlimit	 rl;
	int		*fds, i, opened = 0;
	char		 c;
	struct pollfd	 pfd = { 0, POLLIN, 0 };
	time_t		 end = time(NULL) + 120;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if ((fds = calloc((size_t)n, sizeof *fds)) == NULL)
		return 1;
	for (i = 0; i < n; i++) {
		/* Non-blocking: a full accept queue must not stall us. */
		if ((fds[i] = netpoke_connect(port, 1)) >= 0)
			opened++;
	}
	printf("opened %d\n", opened);
	fflush(stdout);
	while (time(NULL) < end) {
		if (poll(&pfd, 1, 1000) > 0 &&
		    read(0, &c, 1) <= 0)
			break;
	}
	for (i = 0; i < n; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
	}
	free(fds);
	printf("closed\n");
	return 0;
}

static int
netpoke_raw(int port)
{
	char		 buf[65536];
	ssize_t		 n, off, w;
	int		 fd;
	struct pollfd	 pfd;

	if ((fd = netpoke_connect(port, 0)) < 0) {
		perror("connect");
		return 1;
	}
	while ((n = read(0, buf, sizeof buf)) > 0) {
		for (off = 0; off < n; off += w) {
			if ((w = write(fd, buf + off, (size_t)(n - off))) < 0) {
				/* The server may answer and close early. */
				goto answer;
			}
		}
	}
	/*
	 * No shutdown(SHUT_WR): lws takes a half-close for a hang-up and
	 * would drop the answer it has not written yet.
	 */
answer:
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (poll(&pfd, 1, 5000) > 0) {
		if ((n = read(fd, buf, sizeof buf)) <= 0)
			break;
		fwrite(buf, 1, (size_t)n, stdout);
	}
	close(fd);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "flood") == 0)
		return netpoke_flood(atoi(argv[2]), atoi(argv[3]));
	if (argc == 3 && strcmp(argv[1], "raw") == 0)
		return netpoke_raw(atoi(argv[2]));
	fprintf(stderr, "usage: netpoke flood PORT N | netpoke raw PORT\n");
	return 2;
}
