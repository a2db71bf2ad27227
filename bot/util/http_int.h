/*
 * What http.c (blocking, on workers), http_loop.c (on the loop thread)
 * and http_stream.c (a body read as it streams) share, so all ask
 * libcurl the same way and read its answer the same way. Not for
 * callers outside bot/util.
 */
#ifndef OPSBOT_HTTP_INT_H
#define OPSBOT_HTTP_INT_H

#include <curl/curl.h>

#include "http.h"

/*
 * CURLOPT_SOCKOPTFUNCTION: marks each socket close-on-exec, so a kept
 * connection never leaks into the processes the bot starts.
 */
int	 http_sockopt_cloexec(void *arg, curl_socket_t fd,
	    curlsocktype purpose);
/* CURLOPT_WRITEFUNCTION and CURLOPT_HEADERFUNCTION into a response. */
size_t	 http_write_cb(char *, size_t, size_t, void *);
size_t	 http_header_cb(char *, size_t, size_t, void *);
/* An empty response: no status, no Retry-After, the 4 MiB body cap. */
void	 http_response_init(struct http_response *);
/* Status, or the transport error and what it means, from a finished c. */
void	 http_result(struct http_response *, CURL *c, CURLcode);

#endif
