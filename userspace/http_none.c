// SPDX-License-Identifier: GPL-2.0
/*
 * http_none.c - --listen in the static build (the test beds' exittrace),
 * which has no libmicrohttpd: see http.h.
 */
#include <errno.h>

#include "http.h"

int http_start(struct http_server **out, const struct sockaddr *addr, socklen_t addrlen,
	       const char *name)
{
	(void)addr;
	(void)addrlen;
	*out = NULL;
	fprintf(stderr, "exittrace: this exittrace is the static build, which has no HTTP server:\n"
		"exittrace: --listen %s needs the dynamic one (make exittrace)\n", name);
	return -ENOTSUP;
}

int http_publish(struct http_server *srv, const struct snapshot *cumulative,
		 const struct metrics_meta *m)
{
	(void)srv;
	(void)cumulative;
	(void)m;
	return 0;
}

void http_stop(struct http_server *srv)
{
	(void)srv;
}
