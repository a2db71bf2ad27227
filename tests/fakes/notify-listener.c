/*
 * notify-listener: systemd's side of sd_notify, for tests. Binds a unix
 * datagram socket at PATH and prints every message it receives on its own
 * line on stdout (flushed at once; newlines inside a message, as in
 * "READY=1\nSTATUS=...", become spaces), so a test can count READY=1 and
 * WATCHDOG=1 as they arrive.
 *
 * usage: notify-listener PATH
 *
 * Exits 0 on SIGTERM or SIGINT, and on its own after 300 seconds so a
 * forgotten one cannot linger. Removes PATH on exit.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

enum { LIFETIME_S = 300 };

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int
main(int argc, char **argv)
{
	struct sockaddr_un	 sun;
	struct sigaction	 sa;
	struct pollfd		 pfd;
	char			 msg[4096];
	time_t			 end = time(NULL) + LIFETIME_S;
	ssize_t			 n, i;
	int			 fd;

	if (argc != 2 || strlen(argv[1]) >= sizeof sun.sun_path) {
		fprintf(stderr, "usage: notify-listener PATH\n");
		return 2;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, argv[1], strlen(argv[1]));
	if ((fd = socket(AF_UNIX, SOCK_DGRAM, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		fprintf(stderr, "notify-listener: %s: %s\n", argv[1],
		    strerror(errno));
		return 1;
	}
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (!stop && time(NULL) < end) {
		if (poll(&pfd, 1, 200) <= 0)
			continue;
		if ((n = recv(fd, msg, sizeof msg - 1, 0)) <= 0)
			continue;
		for (i = 0; i < n; i++)
			if (msg[i] == '\n')
				msg[i] = ' ';
		msg[n] = '\0';
		printf("%s\n", msg);
		fflush(stdout);
	}
	close(fd);
	unlink(argv[1]);
	return 0;
}
