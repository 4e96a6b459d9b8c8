/* SPDX-License-Identifier: GPL-2.0 */
/*
 * http.h - exittrace --listen: /metrics over HTTP for Prometheus to scrape.
 *
 * libmicrohttpd answers in a thread of its own, from the last snapshot
 * the event loop published: the loop only copies a snapshot in (under a
 * lock held for that copy), it never waits for a client.  A request for
 * OpenMetrics (Accept: application/openmetrics-text, as Prometheus sends)
 * gets OpenMetrics, any other the text format 0.0.4.
 *
 * The static build for the test beds has no libmicrohttpd (Debian ships
 * no static GnuTLS and p11-kit it would need): it links http_none.c,
 * whose http_start() says so.
 */
#ifndef HTTP_H
#define HTTP_H

#include <sys/socket.h>

#include "metrics.h"

struct http_server;

/*
 * Listen on @addr (@name for messages) and start answering.  Errors are
 * told on stderr; returns 0 or -errno.
 */
int http_start(struct http_server **out, const struct sockaddr *addr, socklen_t addrlen,
	       const char *name);

/* Answer from @cumulative and @m from now on; -ENOMEM keeps the last. */
int http_publish(struct http_server *srv, const struct snapshot *cumulative,
		 const struct metrics_meta *m);

/* Stop answering and free @srv (NULL: nothing). */
void http_stop(struct http_server *srv);

#endif /* HTTP_H */
