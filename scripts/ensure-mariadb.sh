#!/usr/bin/env bash
# Starts the local MariaDB (the importer's tests read earlier databases from it) if it is not
# answering on 127.0.0.1:3306, installing it first on a machine that lacks it.
set -euo pipefail
answers() { mariadb --host=127.0.0.1 --port=3306 --user=root --password= -e "SELECT 1" >/dev/null 2>&1; }
# A fresh Debian install lets root in through the socket only: open TCP root with an empty
# password on the loopback address (the test machine's convention).
open_root() {
  mariadb --user=root -e "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '';
    GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
    ALTER USER 'root'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD('') OR unix_socket;
    FLUSH PRIVILEGES;" >/dev/null 2>&1 || true
}
if answers; then exit 0; fi
if mariadb-admin --silent ping >/dev/null 2>&1; then open_root; answers && exit 0; fi
if [ ! -x /usr/sbin/mariadbd ]; then
  echo "== installing MariaDB"
  apt-get update -qq && apt-get install -y -qq mariadb-server >/dev/null
fi
echo "== starting MariaDB"
install -d -o mysql -g mysql /run/mysqld
if [ ! -d /var/lib/mysql/mysql ]; then
  mariadb-install-db --user=mysql --datadir=/var/lib/mysql >/dev/null
fi
start-stop-daemon --start --oknodo --background --chuid mysql --exec /usr/sbin/mariadbd -- \
  --bind-address=127.0.0.1 --port=3306
for _ in $(seq 1 60); do
  answers && exit 0
  if mariadb-admin --silent ping >/dev/null 2>&1; then open_root; answers && exit 0; fi
  sleep 1
done
echo "MariaDB did not start" >&2
exit 1
