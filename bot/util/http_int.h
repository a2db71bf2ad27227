/*
 * What http.c (blocking, on workers) and http_loop.c (on the loop thread)
 * share, so both ask libcurl the same way and read its answer the same
 * way. Not for other modules.
 */
#ifndef OPSBOT_HTTP_INT_H
#define OPSBOT_HTTP_INT_H

#include <curl/curl.h>

#include "http.h"

/* Every socket libcurl opens: close-on-exec. */
int	 http_sockopt_cb(void *, curl_socket_t, curlsocktype);
/* CURLOPT_WRITEFUNCTION and CURLOPT_HEADERFUNCTION into a response. */
size_t	 http_write_cb(char *, size_t, size_t, void *);
size_t	 http_header_cb(char *, size_t, size_t, void *);
/* An empty response: no status, no Retry-After. */
void	 http_response_init(struct http_response *);
/* Status, or the transport error and what it means, from a finished c. */
void	 http_result(struct http_response *, CURL *c, CURLcode);

#endif
