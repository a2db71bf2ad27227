/*
 * What http.c and http_stream.c share of libcurl's setup; not for
 * callers outside bot/util.
 */
#ifndef OPSBOT_HTTP_INT_H
#define OPSBOT_HTTP_INT_H

#include <curl/curl.h>

/*
 * CURLOPT_SOCKOPTFUNCTION: marks each socket close-on-exec, so a kept
 * connection never leaks into the processes the bot starts.
 */
int	 http_sockopt_cloexec(void *arg, curl_socket_t fd,
	    curlsocktype purpose);

#endif
