s/(default: the CPUs it may use: [0-9][0-9]* here)$/(default: the CPUs it may use: N here)/
