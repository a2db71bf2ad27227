/*
 * fakeclient: the self-test websocket client shared by the fakes (see
 * fakeclient.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fakeclient.h"
#include "fakehttp.h"

enum {
	MAX_CLIENT_MESSAGE = 64 << 20, /* receive cap */
	PRINT_MAX = 64 << 10,          /* longer is printed as a size */
};

#define CLIENT_PCOL "fake-client"

struct fake_client fcl;

int
client_args(int argc, char **argv, const struct fh_opt *opts,
            size_t n_opts, double *seconds)
{
	int i;

	for (i = 3; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (fh_take_opt(argc, argv, &i, opts, n_opts))
			continue;
		if (!v)
			return -1;
		if (!strcmp(a, "--seconds"))
			*seconds = atof(argv[++i]);
		else if (!strcmp(a, "--send") && fcl.n_sends < FC_MAX_SENDS)
			fcl.sends[fcl.n_sends++] = argv[++i];
		else
			return -1;
	}
	return 0;
}

void
client_queue(const char *text)
{
	struct out *o = xcalloc(1, sizeof(*o));

	o->data = xstrdup(text);
	o->len = strlen(text);
	if (fcl.tail)
		fcl.tail->next = o;
	else
		fcl.head = o;
	fcl.tail = o;
	if (fcl.wsi)
		lws_callback_on_writable(fcl.wsi);
}

void
client_out_free(void)
{
	struct out *o;

	while ((o = fcl.head)) {
		fcl.head = o->next;
		free(o->data);
		free(o);
	}
	fcl.tail = NULL;
}

static void
client_print(void)
{
	const char *text = fcl.rx.p ? fcl.rx.p : "";
	size_t i;

	if (fcl.rx_binary)
		printf("BINARY %zu\n", fcl.rx.len);
	else if (fcl.rx.len > PRINT_MAX)
		printf("TEXT %zu\n", fcl.rx.len);
	else {
		for (i = 0; i < fcl.rx.len; i++)
			putchar(text[i] == '\n' || text[i] == '\r' ? ' '
			                                           : text[i]);
		putchar('\n');
	}
	fflush(stdout);
}

/* One message, or its next fragment of fcl.fragment bytes. */
static int
client_writeable(struct lws *wsi)
{
	struct out *o = fcl.head;
	unsigned char *b;
	size_t chunk;
	int n, flags;

	if (!o) {
		if (fcl.closing) {
			printf("# closing\n");
			fflush(stdout);
			lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL,
			                 (unsigned char *)"bye", 3);
			return -1;
		}
		return 0;
	}
	chunk = o->len - o->off;
	if (fcl.fragment > 0 && chunk > (size_t)fcl.fragment)
		chunk = (size_t)fcl.fragment;
	b = xmalloc(LWS_PRE + chunk + 1);
	memcpy(b + LWS_PRE, o->data + o->off, chunk);
	flags = lws_write_ws_flags(LWS_WRITE_TEXT, o->off == 0,
	                           o->off + chunk == o->len);
	n = lws_write(wsi, b + LWS_PRE, chunk, (enum lws_write_protocol)flags);
	free(b);
	if (n < (int)chunk)
		return -1;
	o->off += chunk;
	if (o->off == o->len) {
		fcl.head = o->next;
		if (!fcl.head)
			fcl.tail = NULL;
		free(o->data);
		free(o);
	}
	if (fcl.head || fcl.closing)
		lws_callback_on_writable(wsi);
	return 0;
}

static void
client_gone(void)
{
	if (fcl.gone) {
		fcl.gone();
		return;
	}
	fcl.wsi = NULL;
	fcl.done = 1;
}

static int
client_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user,
          void *in, size_t len)
{
	int i;

	switch (reason) {
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		fcl.wsi = wsi;
		printf("# connected\n");
		fflush(stdout);
		if (fcl.on_event && fcl.on_event(wsi, reason, in, len))
			return -1;
		if (fcl.connects++ == 0)
			for (i = 0; i < fcl.n_sends; i++)
				client_queue(fcl.sends[i]);
		if (fcl.head)
			lws_callback_on_writable(wsi);
		break;

	case LWS_CALLBACK_CLIENT_RECEIVE:
		if (lws_frame_is_binary(wsi))
			fcl.rx_binary = 1;
		if (buf_add(&fcl.rx, in, len, MAX_CLIENT_MESSAGE) != 0) {
			printf("# message too big\n");
			return -1;
		}
		if (!lws_is_final_fragment(wsi) ||
		    lws_remaining_packet_payload(wsi))
			break;
		client_print();
		if (fcl.on_message)
			fcl.on_message();
		fcl.rx.len = 0;
		fcl.rx_binary = 0;
		break;

	case LWS_CALLBACK_CLIENT_WRITEABLE:
		return client_writeable(wsi);

	case LWS_CALLBACK_CLIENT_RECEIVE_PONG:
		printf("# pong\n");
		fflush(stdout);
		break;

	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE: {
		const unsigned char *p = in;

		printf("# close-frame %d\n", len >= 2 ? p[0] << 8 | p[1] : 0);
		fflush(stdout);
		break;
	}

	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		printf("# error %s\n", in ? (const char *)in : "(none)");
		fflush(stdout);
		if (!fcl.connects)
			fcl.rc = 1;
		client_gone();
		break;

	case LWS_CALLBACK_CLIENT_CLOSED:
		if (!fcl.exiting) {
			printf("# closed\n");
			fflush(stdout);
		}
		client_gone();
		break;

	default:
		if (fcl.on_event && fcl.on_event(wsi, reason, in, len))
			return -1;
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

void
client_connect(void)
{
	struct lws_client_connect_info ci;

	memset(&ci, 0, sizeof(ci));
	ci.context = fcl.cx;
	ci.address = fcl.address;
	ci.port = fcl.port;
	ci.path = fcl.path;
	ci.host = fcl.address;
	ci.ssl_connection = 0;
	ci.local_protocol_name = CLIENT_PCOL;
	ci.pwsi = &fcl.wsi;
	if (!lws_client_connect_via_info(&ci) && !fcl.done) {
		printf("# error connect\n");
		if (!fcl.connects)
			fcl.rc = 1;
		fcl.done = 1;
	}
}

static void
client_end(lws_sorted_usec_list_t *sul)
{
	fcl.done = 1;
	lws_cancel_service(fcl.cx); /* else the next poll waits on */
}

int
client_start(const char *url, double seconds)
{
	static const struct lws_protocols protocols[] = {
		{ CLIENT_PCOL, client_cb, 0, 4096, 0, NULL, 0 },
		{ NULL, NULL, 0, 0, 0, NULL, 0 }
	};
	struct lws_context_creation_info info;
	const char *prot, *ads, *path;
	char urlbuf[1024];

	if (seconds <= 0 || seconds > FH_LIFETIME_S)
		seconds = FH_LIFETIME_S;
	snprintf(urlbuf, sizeof(urlbuf), "%s", url);
	if (lws_parse_uri(urlbuf, &prot, &ads, &fcl.port, &path) ||
	    strcmp(prot, "ws")) {
		fprintf(stderr, "%s: want a ws:// URL: %s\n", fake_name, url);
		return 2;
	}
	snprintf(fcl.address, sizeof(fcl.address), "%s", ads);
	snprintf(fcl.path, sizeof(fcl.path), "/%s", path);
	setvbuf(stdout, NULL, _IOLBF, 0);

	lws_set_log_level(LLL_ERR, NULL);
	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	fcl.cx = lws_create_context(&info);
	if (!fcl.cx) {
		fprintf(stderr, "%s: lws_create_context failed\n", fake_name);
		return 1;
	}
	client_connect();
	lws_sul_schedule(fcl.cx, 0, &fcl.sul_end, client_end,
	                 (lws_usec_t)(seconds * LWS_US_PER_SEC));
	while (!fcl.done && !fake_stop && lws_service(fcl.cx, 0) >= 0)
		;
	fcl.exiting = 1;
	lws_sul_cancel(&fcl.sul_end);
	return 0;
}

int
client_finish(void)
{
	lws_context_destroy(fcl.cx);
	client_out_free();
	buf_free(&fcl.rx);
	printf("# end\n");
	return fcl.rc;
}
