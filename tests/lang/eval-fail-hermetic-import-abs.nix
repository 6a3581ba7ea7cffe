import /etc/passwd
