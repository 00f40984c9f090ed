/*
 * probe: a static test program for SMCP's sandbox tests. It runs inside a sandbox and tries the
 * things a hostile MCP server would try (write the root file system, mount, raw sockets, ptrace,
 * setuid, fork/memory/disk exhaustion), or misbehaves on its stdio in controlled ways.
 *
 * Attack subcommands print one machine-readable JSON line to stdout and exit 0:
 *     {"probe":"<name>","verdict":"<blocked|allowed|info>","detail":"key=value key=value..."}
 * "blocked" means the sandbox stopped the attempt (or, for netifs/setuid, that the state is the
 * hardened one); "allowed" means it got through; "info" only reports (uname). Progress and
 * diagnostics go to stderr. A sandbox may also end the probe from outside (membomb is meant to be
 * OOM-killed; under gVisor's ptrace platform a forkbomb kills the whole sandbox, so no result line).
 *
 *   netifs             network interfaces: blocked when only lo exists
 *   writeroot          create /probe-written and /probe-rw/probe-written (a 1777 dir in the image)
 *   mount              mount a tmpfs on /tmp/m
 *   rawsock            AF_INET/SOCK_RAW/ICMP and AF_PACKET/SOCK_RAW sockets
 *   ptrace             PTRACE_ATTACH to a child, to a sibling and to pid 1 (unless we are pid 1)
 *   setuid             real/effective ids, setuid(0), CapEff (run /probe-suid to test setuid-root)
 *   forkbomb [N]       fork up to N (100000) sleeping children; stops at the first failure
 *   membomb [MAX_MIB]  allocate and touch 16 MiB chunks until killed (or MAX_MIB is reached)
 *   filltmp [MAX_MIB]  write /tmp/fill until a write fails (or MAX_MIB is reached), then delete it
 *   uname              sysname, release, machine, version (gVisor reports its own)
 * Stdio helpers (no result line):
 *   cat                copy stdin to stdout line by line, unbuffered
 *   exit N | sleep S   exit with code N | sleep S seconds
 *   stderr N           N lines to stderr, then {"jsonrpc":"2.0","method":"done"} to stdout
 *   bigline BYTES      one stdout line of BYTES bytes ('x'), then the newline
 *   garbage            3 non-JSON lines, then {"jsonrpc":"2.0","method":"ok"}, then read stdin to EOF
 *
 * Build: gcc -static -O2 -o probe probe.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#define MIB (1024L * 1024L)

static const char *ename(int err)
{
    const char *name = strerrorname_np(err);
    return name ? name : "E?";
}

static void result(const char *name, const char *verdict, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void result(const char *name, const char *verdict, const char *fmt, ...)
{
    char detail[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    /* One JSON line, so it travels the sandbox's JSON-RPC channel; details never hold quotes or backslashes. */
    for (char *c = detail; *c; c++)
        if (*c == '"' || *c == '\\' || (unsigned char)*c < 0x20)
            *c = '?';
    printf("{\"probe\":\"%s\",\"verdict\":\"%s\",\"detail\":\"%s\"}\n", name, verdict, detail);
    fflush(stdout);
}

static long arg_long(int argc, char **argv, int i, long fallback)
{
    return argc > i ? strtol(argv[i], NULL, 10) : fallback;
}

/* Writes all of buf to fd; returns 0 or the errno of the failed write. */
static int write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return errno;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

static int cmd_netifs(void)
{
    struct ifaddrs *ifs = NULL, *i;
    char list[1024] = "";
    int non_lo = 0;
    if (getifaddrs(&ifs) != 0) {
        result("netifs", "info", "ifaces= errno=%s", ename(errno));
        return 0;
    }
    for (i = ifs; i; i = i->ifa_next) {
        char wrapped[sizeof list + 2], item[IFNAMSIZ + 3];
        snprintf(wrapped, sizeof wrapped, ",%s,", list);
        snprintf(item, sizeof item, ",%s,", i->ifa_name);
        if (strstr(wrapped, item))
            continue; /* getifaddrs lists a name once per address family */
        if (list[0])
            strncat(list, ",", sizeof list - strlen(list) - 1);
        strncat(list, i->ifa_name, sizeof list - strlen(list) - 1);
        if (strcmp(i->ifa_name, "lo") != 0)
            non_lo = 1;
    }
    freeifaddrs(ifs);
    result("netifs", non_lo ? "allowed" : "blocked", "ifaces=%s", list);
    return 0;
}

/* Creates PATH; returns "ok" (and removes it again) or the errno name. */
static const char *try_create(const char *path)
{
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (fd < 0)
        return ename(errno);
    close(fd);
    unlink(path);
    return "ok";
}

/* "/" itself is root-owned, so as nobody its EACCES hides whether the root file system is
 * read-only; /probe-rw (mode 1777 in the probe image) isolates the read-only mount: EROFS. */
static int cmd_writeroot(void)
{
    const char *root = try_create("/probe-written");
    const char *rw = try_create("/probe-rw/probe-written");
    int blocked = strcmp(root, "ok") != 0 && strcmp(rw, "ok") != 0;
    result("writeroot", blocked ? "blocked" : "allowed", "root=%s rwdir=%s", root, rw);
    return 0;
}

static int cmd_mount(void)
{
    if (mkdir("/tmp/m", 0755) != 0 && errno != EEXIST) {
        result("mount", "blocked", "mkdir-errno=%s", ename(errno));
        return 0;
    }
    if (mount("none", "/tmp/m", "tmpfs", 0, NULL) != 0) {
        result("mount", "blocked", "errno=%s", ename(errno));
        return 0;
    }
    umount("/tmp/m");
    result("mount", "allowed", "mounted=tmpfs:/tmp/m");
    return 0;
}

static int cmd_rawsock(void)
{
    int inet = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
    int inet_err = errno;
    int packet = socket(AF_PACKET, SOCK_RAW, htons(0x0003 /* ETH_P_ALL */));
    int packet_err = errno;
    result("rawsock", inet < 0 && packet < 0 ? "blocked" : "allowed", "inet_raw=%s packet=%s",
           inet < 0 ? ename(inet_err) : "ok", packet < 0 ? ename(packet_err) : "ok");
    if (inet >= 0)
        close(inet);
    if (packet >= 0)
        close(packet);
    return 0;
}

/* PTRACE_ATTACH to PID and detach again; returns 0 or the errno. */
static int attach(pid_t pid)
{
    if (ptrace(PTRACE_ATTACH, pid, NULL, NULL) != 0)
        return errno;
    waitpid(pid, NULL, __WALL);
    ptrace(PTRACE_DETACH, pid, NULL, NULL);
    return 0;
}

static pid_t spawn_sleeper(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        sleep(30);
        _exit(0);
    }
    return pid;
}

/* Attaches to our own child (allowed by plain Linux rules), to a sibling (not a descendant:
 * refused under Yama ptrace_scope>=1) and to pid 1 (unless that is us, as with docker run). */
static int cmd_ptrace(void)
{
    pid_t child = spawn_sleeper(), sibling = spawn_sleeper(), tracer;
    int child_err, sibling_err = -1, pid1_err = -1, status;
    if (child < 0 || sibling < 0) {
        result("ptrace", "info", "fork-errno=%s", ename(errno));
        return 0;
    }
    usleep(100 * 1000);
    child_err = attach(child);
    tracer = fork();
    if (tracer == 0)
        _exit(attach(sibling));
    if (tracer > 0 && waitpid(tracer, &status, 0) == tracer && WIFEXITED(status))
        sibling_err = WEXITSTATUS(status);
    if (getpid() != 1)
        pid1_err = attach(1);
    int allowed = child_err == 0 || sibling_err == 0 || (getpid() != 1 && pid1_err == 0);
    result("ptrace", allowed ? "allowed" : "blocked", "child=%s sibling=%s pid1=%s",
           child_err ? ename(child_err) : "ok",
           sibling_err < 0 ? "?" : sibling_err ? ename(sibling_err) : "ok",
           getpid() == 1 ? "self" : pid1_err ? ename(pid1_err) : "ok");
    kill(child, SIGKILL);
    kill(sibling, SIGKILL);
    waitpid(child, NULL, 0);
    waitpid(sibling, NULL, 0);
    return 0;
}

static int cmd_setuid(void)
{
    char capeff[32] = "?", line[256];
    FILE *status = fopen("/proc/self/status", "r");
    while (status && fgets(line, sizeof line, status))
        if (sscanf(line, "CapEff: %31s", capeff) == 1)
            break;
    if (status)
        fclose(status);
    uid_t ruid = getuid(), euid = geteuid();
    int setuid_rc = setuid(0);
    int setuid_err = errno;
    result("setuid", euid == 0 || setuid_rc == 0 ? "allowed" : "blocked",
           "ruid=%d euid=%d gid=%d egid=%d setuid0=%s capeff=%s", (int)ruid, (int)euid, (int)getgid(),
           (int)getegid(), setuid_rc == 0 ? "ok" : ename(setuid_err), capeff);
    return 0;
}

static int cmd_forkbomb(long n)
{
    pid_t *pids = calloc((size_t)n, sizeof *pids);
    long forked = 0;
    int err = 0;
    if (!pids) {
        result("forkbomb", "info", "calloc failed");
        return 0;
    }
    while (forked < n) {
        pid_t pid = fork();
        if (pid < 0) {
            err = errno;
            break;
        }
        if (pid == 0) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            sleep(30);
            _exit(0);
        }
        pids[forked++] = pid;
        if (forked % 64 == 0)
            fprintf(stderr, "forkbomb: forked=%ld\n", forked); /* progress, in case the sandbox dies */
    }
    result("forkbomb", forked < n ? "blocked" : "allowed", "forked=%ld errno=%s", forked, err ? ename(err) : "none");
    for (long i = 0; i < forked; i++)
        kill(pids[i], SIGKILL);
    for (long i = 0; i < forked; i++)
        waitpid(pids[i], NULL, 0);
    free(pids);
    return 0;
}

static int cmd_membomb(long max_mib)
{
    long total = 0;
    for (;;) {
        if (max_mib > 0 && total >= max_mib) {
            result("membomb", "allowed", "allocated_mib=%ld", total);
            return 0;
        }
        char *chunk = malloc(16 * MIB);
        if (!chunk) {
            result("membomb", "blocked", "allocated_mib=%ld errno=%s", total, ename(errno));
            return 0;
        }
        memset(chunk, 0xA5, 16 * MIB); /* touch every page */
        total += 16;
        fprintf(stderr, "membomb: %ld MiB\n", total);
    }
}

static int cmd_filltmp(long max_mib)
{
    static char buf[1 << 20];
    long long written = 0;
    int err = 0;
    int fd = open("/tmp/fill", O_CREAT | O_WRONLY | O_TRUNC, 0600);
    if (fd < 0) {
        result("filltmp", "blocked", "bytes=0 open-errno=%s", ename(errno));
        return 0;
    }
    memset(buf, 'f', sizeof buf);
    while (max_mib <= 0 || written < max_mib * MIB) {
        ssize_t n = write(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            err = n < 0 ? errno : ENOSPC;
            break;
        }
        written += n;
    }
    if (!err && fsync(fd) != 0)
        err = errno;
    close(fd);
    unlink("/tmp/fill");
    result("filltmp", err ? "blocked" : "allowed", "bytes=%lld errno=%s", written, err ? ename(err) : "none");
    return 0;
}

static int cmd_uname(void)
{
    struct utsname u;
    if (uname(&u) != 0) {
        result("uname", "info", "errno=%s", ename(errno));
        return 0;
    }
    result("uname", "info", "sysname=%s release=%s machine=%s version=%s", u.sysname, u.release, u.machine, u.version);
    return 0;
}

static int cmd_cat(void)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, stdin)) > 0)
        if (write_all(STDOUT_FILENO, line, (size_t)n) != 0)
            break;
    free(line);
    return 0;
}

static int cmd_stderr(long n)
{
    for (long i = 0; i < n; i++)
        fprintf(stderr, "probe stderr line %ld\n", i + 1);
    fflush(stderr);
    printf("{\"jsonrpc\":\"2.0\",\"method\":\"done\"}\n");
    fflush(stdout);
    return 0;
}

static int cmd_bigline(long bytes)
{
    static char buf[1 << 16];
    memset(buf, 'x', sizeof buf);
    for (long left = bytes; left > 0; left -= (long)sizeof buf)
        if (write_all(STDOUT_FILENO, buf, left < (long)sizeof buf ? (size_t)left : sizeof buf) != 0)
            return 1;
    return write_all(STDOUT_FILENO, "\n", 1) ? 1 : 0;
}

static int cmd_garbage(void)
{
    char buf[4096];
    printf("this is not json\n{ neither is this\n\x01\x02 binary junk\n");
    printf("{\"jsonrpc\":\"2.0\",\"method\":\"ok\"}\n");
    fflush(stdout);
    while (read(STDIN_FILENO, buf, sizeof buf) > 0)
        ;
    return 0;
}

static int usage(void)
{
    fprintf(stderr, "usage: probe netifs|writeroot|mount|rawsock|ptrace|setuid|forkbomb N|membomb [MAX_MIB]|"
                    "filltmp [MAX_MIB]|uname|cat|exit N|sleep S|stderr N|bigline BYTES|garbage\n");
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage();
    const char *c = argv[1];
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!strcmp(c, "netifs")) return cmd_netifs();
    if (!strcmp(c, "writeroot")) return cmd_writeroot();
    if (!strcmp(c, "mount")) return cmd_mount();
    if (!strcmp(c, "rawsock")) return cmd_rawsock();
    if (!strcmp(c, "ptrace")) return cmd_ptrace();
    if (!strcmp(c, "setuid")) return cmd_setuid();
    if (!strcmp(c, "forkbomb")) return cmd_forkbomb(arg_long(argc, argv, 2, 100000));
    if (!strcmp(c, "membomb")) return cmd_membomb(arg_long(argc, argv, 2, 0));
    if (!strcmp(c, "filltmp")) return cmd_filltmp(arg_long(argc, argv, 2, 0));
    if (!strcmp(c, "uname")) return cmd_uname();
    if (!strcmp(c, "cat")) return cmd_cat();
    if (!strcmp(c, "exit")) return (int)arg_long(argc, argv, 2, 0);
    if (!strcmp(c, "sleep")) return sleep((unsigned)arg_long(argc, argv, 2, 1)) ? 1 : 0;
    if (!strcmp(c, "stderr")) return cmd_stderr(arg_long(argc, argv, 2, 10));
    if (!strcmp(c, "bigline")) return cmd_bigline(arg_long(argc, argv, 2, 1 << 20));
    if (!strcmp(c, "garbage")) return cmd_garbage();
    return usage();
}
