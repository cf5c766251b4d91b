/*
 * cpus.c - the CPUs this process may use (cpus.h).
 *
 * The cgroup's directory is found as Go's runtime finds it: the process's
 * cgroup path from /proc/self/cgroup (v2's line "0::PATH"; v1's line whose
 * controllers include cpu), and where that hierarchy is mounted from
 * /proc/self/mountinfo (a mount's root is the part of the path it shows:
 * a container's mount of its own cgroup shows its root as "/docker/ID").
 * Unlike Go's, the walk goes on up to the mount's root, since a parent's
 * tighter limit is the one that holds.
 */
#define _GNU_SOURCE	/* sched_getaffinity, CPU_COUNT */
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpus.h"

/* A small file's text, NUL-terminated (cut at size - 1 bytes); its length, or -1. */
static long read_text(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t n = 0;
	ssize_t r;

	if (fd < 0)
		return -1;
	while (n + 1 < size && (r = read(fd, buf + n, size - 1 - n)) > 0)
		n += (size_t)r;
	close(fd);
	buf[n] = '\0';
	return (long)n;
}

/*
 * A file's whole text, NUL-terminated, in memory of its own (free it);
 * NULL when it cannot be read. For /proc/self/mountinfo, whose size no
 * stat tells and which on a host of many mounts runs to hundreds of KiB:
 * a cut one could leave out the cgroup mount.
 */
static char *read_whole(const char *path)
{
	size_t cap = 16384, n = 0;
	char *buf = malloc(cap), *b;
	ssize_t r;
	int fd;

	if (!buf || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		free(buf);
		return NULL;
	}
	while ((r = read(fd, buf + n, cap - 1 - n)) > 0) {
		n += (size_t)r;
		if (n + 1 == cap) {
			if (!(b = realloc(buf, cap * 2))) {
				r = -1;
				break;
			}
			buf = b;
			cap *= 2;
		}
	}
	close(fd);
	if (r < 0) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

/* mountinfo's escapes (\040 for a space, \011, \012, \134) undone in place. */
static void unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0' &&
		    s[3] <= '7') {
			*w++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 3;
		} else
			*w++ = *s;
	}
	*w = '\0';
}

/* Whether the comma-separated list (n bytes) has the item "cpu". */
static int has_cpu(const char *list, size_t n)
{
	const char *p = list, *end = list + n, *c;

	for (; p < end; p = c + 1) {
		if (!(c = memchr(p, ',', (size_t)(end - p))))
			c = end;
		if (c - p == 3 && memcmp(p, "cpu", 3) == 0)
			return 1;
	}
	return 0;
}

/* "QUOTA PERIOD" as whole CPUs rounded up; 0 for "max", -1, or what is no limit. */
static unsigned ceil_cpus(long long quota, long long period)
{
	unsigned long long n;

	if (quota <= 0 || period <= 0)
		return 0;
	n = ((unsigned long long)quota + (unsigned long long)period - 1) / (unsigned long long)period;
	return n > UINT_MAX ? UINT_MAX : (unsigned)n;
}

/* The limit set in directory dir (v2: cpu.max; v1: cpu.cfs_quota_us and cpu.cfs_period_us), 0: none. */
static unsigned limit_in(const char *dir, int v2)
{
	char path[PATH_MAX], text[128];
	long long quota, period;

	if (v2) {
		if (snprintf(path, sizeof(path), "%s/cpu.max", dir) >= (int)sizeof(path) ||
		    read_text(path, text, sizeof(text)) < 0 || sscanf(text, "%lld %lld", &quota, &period) != 2)
			return 0;	/* "max 100000" reads no quota: no limit */
		return ceil_cpus(quota, period);
	}
	if (snprintf(path, sizeof(path), "%s/cpu.cfs_quota_us", dir) >= (int)sizeof(path) ||
	    read_text(path, text, sizeof(text)) < 0 || sscanf(text, "%lld", &quota) != 1)
		return 0;
	if (snprintf(path, sizeof(path), "%s/cpu.cfs_period_us", dir) >= (int)sizeof(path) ||
	    read_text(path, text, sizeof(text)) < 0 || sscanf(text, "%lld", &period) != 1)
		return 0;
	return ceil_cpus(quota, period);
}

/*
 * The least limit from cgroup path (of a v2 hierarchy, or v1's with the
 * cpu controller) up to the root of its mount in mountinfo; 0: none.
 */
static unsigned limit_of(char *mountinfo, const char *path, int v2, const char *sysroot)
{
	char *line, *save = NULL, rel[PATH_MAX], dir[PATH_MAX], *slash;
	unsigned best = 0, n;
	size_t len;

	for (line = strtok_r(mountinfo, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTIONS */
		char root[PATH_MAX], point[PATH_MAX], fstype[64], super[1024];
		const char *dash = strstr(line, " - ");
		size_t rl;

		if (!dash || sscanf(line, "%*s %*s %*s %4095s %4095s", root, point) != 2 ||
		    sscanf(dash + 3, "%63s %*s %1023s", fstype, super) != 2)
			continue;
		if (v2 ? strcmp(fstype, "cgroup2") != 0
		       : strcmp(fstype, "cgroup") != 0 || !has_cpu(super, strlen(super)))
			continue;
		unescape(root);
		unescape(point);
		/* the path below the mount's root: the mount shows no cgroup above it */
		rl = strcmp(root, "/") == 0 ? 0 : strlen(root);
		if (strncmp(path, root, rl) != 0 || (path[rl] != '/' && path[rl] != '\0'))
			continue;
		if (snprintf(rel, sizeof(rel), "%s", path + rl) >= (int)sizeof(rel))
			return 0;
		for (len = strlen(rel); len && rel[len - 1] == '/'; len--)
			rel[len - 1] = '\0';	/* "/" is the root: "" */
		for (;;) {
			if (snprintf(dir, sizeof(dir), "%s%s%s", sysroot, point, rel) >= (int)sizeof(dir))
				return best;
			if ((n = limit_in(dir, v2)) && (!best || n < best))
				best = n;
			if (!*rel || !(slash = strrchr(rel, '/')))
				break;	/* the mount's root was the last */
			*slash = '\0';	/* "/a/b" to "/a", "/a" to "" */
		}
		return best;
	}
	return 0;
}

unsigned cpus_cgroup_limit(const char *self, const char *sysroot)
{
	char path[PATH_MAX], cgroup[8192], *mountinfo, *copy, *line, *save = NULL, *c1, *c2;
	char v1[PATH_MAX] = "", v2[PATH_MAX] = "";
	int has1 = 0, has2 = 0;
	unsigned best = 0, n;

	if (snprintf(path, sizeof(path), "%s/cgroup", self) >= (int)sizeof(path) ||
	    read_text(path, cgroup, sizeof(cgroup)) < 0)
		return 0;
	for (line = strtok_r(cgroup, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		/* ID:CONTROLLERS:PATH; v2's is 0::PATH */
		if (!(c1 = strchr(line, ':')) || !(c2 = strchr(c1 + 1, ':')))
			continue;
		if (c2 == c1 + 1 && c1 - line == 1 && line[0] == '0' && !has2)
			has2 = snprintf(v2, sizeof(v2), "%s", c2 + 1) < (int)sizeof(v2);
		else if (has_cpu(c1 + 1, (size_t)(c2 - c1 - 1)) && !has1)
			has1 = snprintf(v1, sizeof(v1), "%s", c2 + 1) < (int)sizeof(v1);
	}
	if ((!has1 && !has2) || snprintf(path, sizeof(path), "%s/mountinfo", self) >= (int)sizeof(path) ||
	    !(mountinfo = read_whole(path)))
		return 0;
	copy = strdup(mountinfo);	/* strtok_r cuts what it reads */
	if (copy && has1 && (n = limit_of(copy, v1, 0, sysroot)) && (!best || n < best))
		best = n;
	free(copy);
	if (has2 && (n = limit_of(mountinfo, v2, 1, sysroot)) && (!best || n < best))
		best = n;
	free(mountinfo);
	return best;
}

unsigned cpus_usable(void)
{
	cpu_set_t set;
	long n = -1;
	unsigned limit;

	/* the CPUs this process may run on (taskset, cgroup cpusets), not the machine's */
	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		n = CPU_COUNT(&set);
	if (n < 1)
		n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	/* and no more than the time they may take: a CPU quota */
	if ((limit = cpus_cgroup_limit("/proc/self", "")) && limit < n)
		n = limit;
	return (unsigned)n;
}
