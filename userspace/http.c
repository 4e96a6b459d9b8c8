// SPDX-License-Identifier: GPL-2.0
/*
 * http.c - /metrics over HTTP, with libmicrohttpd's own thread.
 */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>

#include "http.h"

struct http_server {
	struct MHD_Daemon *daemon;
	pthread_mutex_t lock;		/* over published and meta */
	struct snapshot published;	/* cumulative, as the loop last read it */
	struct drill_snap keys;		/* --by: meta.keys points here */
	struct metrics_meta meta;	/* meta.names points to names */
	struct vm_names names;		/* the loop's, as published: it changes them */
};

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned int status,
			     const char *type, char *body, size_t len, enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, body, mode);
	enum MHD_Result ret;

	if (!resp) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *upload_data,
			      size_t *upload_data_size, void **req_cls)
{
	static char not_here[] = "exittrace: the metrics are at /metrics\n";
	static char get_only[] = "exittrace: /metrics answers GET and HEAD\n";
	struct http_server *srv = cls;
	struct snapshot copy = {};
	struct drill_snap keys = {};
	struct vm_names names = {};
	struct metrics_meta meta;
	enum metrics_format fmt;
	char *body = NULL;
	size_t len = 0;
	FILE *f;
	int err;

	(void)version;
	(void)upload_data;
	(void)upload_data_size;
	(void)req_cls;
	if (strcmp(url, "/metrics"))
		return reply(conn, MHD_HTTP_NOT_FOUND, "text/plain", not_here,
			     sizeof(not_here) - 1, MHD_RESPMEM_PERSISTENT);
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", get_only,
			     sizeof(get_only) - 1, MHD_RESPMEM_PERSISTENT);
	fmt = metrics_format_for_accept(MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
								    MHD_HTTP_HEADER_ACCEPT));
	/* the lock only for the copy: the text is made outside it */
	pthread_mutex_lock(&srv->lock);
	err = snapshot_copy(&copy, &srv->published) ?: vm_names_copy(&names, &srv->names);
	meta = srv->meta;
	if (!err && meta.keys) {
		err = drill_copy(&keys, meta.keys);
		meta.keys = &keys;
	}
	pthread_mutex_unlock(&srv->lock);
	meta.names = &names;
	f = err ? NULL : open_memstream(&body, &len);
	if (!f || metrics_write(f, fmt, &copy, &meta)) {
		if (f)
			fclose(f);
		free(body);
		snapshot_free(&copy);
		drill_free(&keys);
		vm_names_free(&names);
		return MHD_NO;	/* out of memory: drop the connection */
	}
	fclose(f);
	snapshot_free(&copy);
	drill_free(&keys);
	vm_names_free(&names);
	return reply(conn, MHD_HTTP_OK, metrics_content_type(fmt), body, len, MHD_RESPMEM_MUST_FREE);
}

/* A socket of our own, so that a failed bind says why (MHD would not). */
static int listen_on(const struct sockaddr *addr, socklen_t addrlen, const char *name)
{
	int fd = socket(addr->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1, zero = 0;

	if (fd < 0) {
		fprintf(stderr, "exittrace: cannot make a socket for --listen %s: %s\n", name,
			strerror(errno));
		return -errno;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* ":PORT" is "::", and takes IPv4 too */
	if (addr->sa_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(fd, addr, addrlen) || listen(fd, 64)) {
		int err = -errno;

		fprintf(stderr, "exittrace: cannot listen on %s: %s\n", name, strerror(errno));
		close(fd);
		return err;
	}
	return fd;
}

int http_start(struct http_server **out, const struct sockaddr *addr, socklen_t addrlen,
	       const char *name)
{
	struct http_server *srv = calloc(1, sizeof(*srv));
	sigset_t all, old;
	int fd;

	*out = NULL;
	if (!srv)
		return -ENOMEM;
	pthread_mutex_init(&srv->lock, NULL);
	fd = listen_on(addr, addrlen, name);
	if (fd < 0) {
		http_stop(srv);
		return fd;
	}
	/*
	 * Its thread takes no signal: SIGINT, SIGTERM and SIGUSR1 must
	 * interrupt the loop's sleep, which they would not in another thread.
	 */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	srv->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0,
				       NULL, NULL, answer, srv,
				       MHD_OPTION_LISTEN_SOCKET, fd,
				       MHD_OPTION_CONNECTION_LIMIT, 32U,
				       MHD_OPTION_CONNECTION_TIMEOUT, 10U,
				       MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!srv->daemon) {
		fprintf(stderr, "exittrace: libmicrohttpd would not start on %s\n", name);
		close(fd);
		http_stop(srv);
		return -EIO;
	}
	*out = srv;
	return 0;
}

int http_publish(struct http_server *srv, const struct snapshot *s, const struct metrics_meta *m)
{
	int err;

	pthread_mutex_lock(&srv->lock);
	err = snapshot_copy(&srv->published, s);
	if (!err && m->keys)
		err = drill_copy(&srv->keys, m->keys);
	if (!err && m->names)
		err = vm_names_copy(&srv->names, m->names);
	if (!err) {
		srv->meta = *m;
		srv->meta.keys = m->keys ? &srv->keys : NULL;
	}
	pthread_mutex_unlock(&srv->lock);
	return err;
}

void http_stop(struct http_server *srv)
{
	if (!srv)
		return;
	if (srv->daemon)
		MHD_stop_daemon(srv->daemon);	/* closes the listening socket too */
	pthread_mutex_destroy(&srv->lock);
	snapshot_free(&srv->published);
	drill_free(&srv->keys);
	vm_names_free(&srv->names);
	free(srv);
}
