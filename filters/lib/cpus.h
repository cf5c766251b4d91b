/*
 * cpus.h - how many CPUs this process may use: the CPUs it may run on
 * (sched_getaffinity: taskset, cpusets) and no more than its cgroup's CPU
 * bandwidth limit (docker --cpus, Kubernetes' limits.cpu, systemd's
 * CPUQuota=). A container on a 64-CPU host limited to 2 CPUs sees 64 CPUs
 * in its affinity; threads beyond the quota only wait their turn (in a
 * cgroup of 1 CPU's quota on a 2-CPU machine, vchain-dedupe and
 * vchain-aggregate --report funnel at -j 2 took 1.16x the time of -j 1).
 */
#ifndef VCHAIN_CPUS_H
#define VCHAIN_CPUS_H

/*
 * The cgroup CPU limit in whole CPUs, rounded up (1.5 CPUs: 2, as Go's
 * runtime and .NET round), the least along the cgroup's path up to its
 * hierarchy's root: cgroup v2's cpu.max ("QUOTA PERIOD", or "max"), v1's
 * cpu.cfs_quota_us over cpu.cfs_period_us (-1: none). 0 when there is
 * none, or when it cannot be read. self is the /proc/self directory to
 * read cgroup and mountinfo from, sysroot a directory put before the
 * mount points found there ("" for this system's): tests give a tree of
 * their own.
 */
unsigned cpus_cgroup_limit(const char *self, const char *sysroot);

/* The CPUs this process may use: its affinity's, at most its cgroup's limit; at least 1. */
unsigned cpus_usable(void);

#endif
