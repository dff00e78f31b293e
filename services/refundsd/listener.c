/*
 * The server's listening socket, owned by refundsd rather than by gRPC core
 * (see listener.h): a thread accepts connections and hands each one to the
 * gRPC server with grpc_server_add_channel_from_fd. It exists for the lame
 * duck: closing it refuses new connections while the gRPC server, not yet
 * shut down, goes on serving the ones it has. Not for TLS: gRPC 1.51 takes
 * only insecure credentials for a channel from a file descriptor.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <grpc/grpc_posix.h>
#include <grpc/grpc_security.h>

#include "listener.h"
#include "refunds/log.h"
#include "refunds/xalloc.h"

struct rf_listener {
    int fd;
    int wake[2]; /* a byte on wake[1] stops the accept thread */
    int port;
    grpc_server *server;
    grpc_server_credentials *creds;
    pthread_t thread;
    bool running;
};

/* Splits "host:port", "[v6]:port" or "ipv4:host:port" into host and port. */
static bool split_addr(const char *addr, char *host, size_t host_size, char *port, size_t port_size)
{
    const char *colon;
    size_t n;

    if (strncmp(addr, "ipv4:", 5) == 0 || strncmp(addr, "ipv6:", 5) == 0)
        addr += 5;
    colon = strrchr(addr, ':');
    if (colon == NULL || colon[1] == '\0')
        return false;
    n = (size_t)(colon - addr);
    if (n >= 2 && addr[0] == '[' && addr[n - 1] == ']') {
        addr++;
        n -= 2;
    }
    if (n == 0 || n >= host_size || strlen(colon + 1) >= port_size)
        return false;
    memcpy(host, addr, n);
    host[n] = '\0';
    snprintf(port, port_size, "%s", colon + 1);
    return true;
}

static int bind_unix(const char *path, struct rf_error *err)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int fd;

    if (strlen(path) >= sizeof sa.sun_path)
        return rf_fail(err, RF_INVALID_ARGUMENT, "unix socket path %s is too long", path), -1;
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
    unlink(path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 512) != 0) {
        rf_fail(err, RF_UNAVAILABLE, "could not listen on unix:%s (%s)", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

static int bind_tcp(const char *addr, int *port, struct rf_error *err)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *res = NULL;
    char host[256], service[16];
    int fd = -1, one = 1, rc;

    if (!split_addr(addr, host, sizeof host, service, sizeof service))
        return rf_fail(err, RF_INVALID_ARGUMENT, "%s is not host:port", addr), -1;
    rc = getaddrinfo(host, service, &hints, &res);
    if (rc != 0)
        return rf_fail(err, RF_UNAVAILABLE, "could not resolve %s (%s)", addr, gai_strerror(rc)),
               -1;
    for (struct addrinfo *ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0)
            continue;
        /* SO_REUSEADDR, never SO_REUSEPORT: a second server on the port must fail. */
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 512) != 0) {
            rf_fail(err, RF_UNAVAILABLE, "could not listen on %s (%s)", addr, strerror(errno));
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd >= 0) {
        struct sockaddr_storage ss;
        socklen_t len = sizeof ss;

        getsockname(fd, (struct sockaddr *)&ss, &len);
        *port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                               : ((struct sockaddr_in *)&ss)->sin_port);
    }
    return fd;
}

enum rf_code rf_listener_open(const char *addr, struct rf_listener **out, struct rf_error *err)
{
    struct rf_listener *l = rf_xcalloc(1, sizeof *l);

    l->fd =
        strncmp(addr, "unix:", 5) == 0 ? bind_unix(addr + 5, err) : bind_tcp(addr, &l->port, err);
    if (l->fd < 0 || pipe(l->wake) != 0) {
        if (l->fd >= 0) {
            rf_fail(err, RF_INTERNAL, "could not make a pipe (%s)", strerror(errno));
            close(l->fd);
        }
        free(l);
        return err->code;
    }
    fcntl(l->wake[0], F_SETFD, FD_CLOEXEC);
    fcntl(l->wake[1], F_SETFD, FD_CLOEXEC);
    *out = l;
    return RF_OK;
}

int rf_listener_port(const struct rf_listener *l)
{
    return l->port;
}

static void *accept_main(void *arg)
{
    struct rf_listener *l = arg;
    struct pollfd pfd[2] = {{.fd = l->fd, .events = POLLIN}, {.fd = l->wake[0], .events = POLLIN}};

    for (;;) {
        int fd, one = 1;

        if (poll(pfd, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            rf_log_msg(RF_LOG_ERROR, "listener", "poll failed: %s", strerror(errno));
            break;
        }
        if (pfd[1].revents != 0)
            break;
        fd = accept(l->fd, NULL, NULL);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE) {
                rf_log_msg(RF_LOG_WARN, "listener", "out of file descriptors: %s", strerror(errno));
                poll(NULL, 0, 100);
            }
            continue;
        }
        fcntl(fd, F_SETFD, FD_CLOEXEC);
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); /* fails harmlessly on unix */
        grpc_server_add_channel_from_fd(l->server, fd, l->creds);
    }
    return NULL;
}

void rf_listener_start(struct rf_listener *l, grpc_server *server)
{
    l->server = server;
    l->creds = grpc_insecure_server_credentials_create();
    if (pthread_create(&l->thread, NULL, accept_main, l) != 0)
        abort();
    l->running = true;
}

void rf_listener_close(struct rf_listener *l)
{
    if (l == NULL || l->fd < 0)
        return;
    if (l->running) {
        while (write(l->wake[1], "x", 1) < 0 && errno == EINTR)
            ;
        pthread_join(l->thread, NULL);
        l->running = false;
    }
    close(l->fd);
    l->fd = -1;
}

void rf_listener_destroy(struct rf_listener *l)
{
    if (l == NULL)
        return;
    rf_listener_close(l);
    close(l->wake[0]);
    close(l->wake[1]);
    if (l->creds != NULL)
        grpc_server_credentials_release(l->creds);
    free(l);
}
