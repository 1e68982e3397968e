"""Database and file faults, as a person at the desk or the command line reads them.

Every message names the file (or server) and says what to do; none carries
the text of the driver's error (it can hold the statement's values).
"""

MESSAGES: dict[str, tuple[str, str]] = {
    # --- faults met while using the database (services.faults.describe_fault)
    "fault.busy": (
        "数据库正忙（另一台终端正在写入），请稍后重试；本次未保存。数据库：{where}",
        "The database is busy (another terminal is writing); try again. Nothing was saved. Database: {where}",
    ),
    "fault.read_only": (
        "数据库只读，无法写入：{where}。请检查该文件及其所在文件夹（{folder}）的写权限；本次未保存。",
        "The database is read-only: {where}. Check that the file and its folder ({folder}) are writable. Nothing was saved.",
    ),
    "fault.read_only_folder": (
        "数据库所在的文件夹只读：{folder}。SQLite 要在数据库 {where} 旁写入 -wal、-shm 文件，请为该文件夹开放写权限；本次未保存。",
        "The folder holding the database is read-only: {folder}. SQLite writes its -wal and -shm files beside {where}; make the folder writable. Nothing was saved.",
    ),
    "fault.disk_full": (
        "磁盘已满，无法写入：{where}。请腾出空间后重试；本次未保存。",
        "The disk is full: {where}. Free some space and try again. Nothing was saved.",
    ),
    "fault.malformed": (
        "数据库文件已损坏或不是数据库：{where}。请停止使用它。",
        "The database file is damaged or not a database: {where}. Stop using it.",
    ),
    "fault.newest_backup": (
        "请用同一文件夹中最新的备份恢复：{backup}",
        "Restore the newest backup beside it: {backup}",
    ),
    "fault.no_backup": (
        "文件夹 {folder} 中没有 .bak 备份，请找维护人员恢复。",
        "There is no .bak backup in {folder}; ask whoever maintains deskapp to restore one.",
    ),
    "fault.cannot_open": (
        "无法打开数据库：{where}。请检查文件是否存在、可读，以及文件夹 {folder} 是否可写。",
        "Cannot open the database: {where}. Check that the file exists and is readable, and that its folder {folder} is writable.",
    ),
    "fault.io": (
        "读写数据库时出现磁盘错误：{where}。请检查磁盘后重试；本次未保存。",
        "A disk error while reading or writing the database: {where}. Check the disk and try again. Nothing was saved.",
    ),
    "fault.unreachable": (
        "连接不到数据库服务器：{where}。请检查网络和服务器后重试。",
        "Cannot reach the database server: {where}. Check the network and the server, then try again.",
    ),
    "fault.auth": (
        "数据库服务器拒绝了登录：{where}。请检查用户名和密码（--db、DESKAPP_DATABASE_URL 或 config.toml 中的 database_url）。",
        "The database server refused the sign-in: {where}. Check the user name and password (--db, DESKAPP_DATABASE_URL or database_url in config.toml).",
    ),
    "fault.no_database": (
        "数据库服务器上没有这个数据库：{where}。请检查数据库名，或请管理员先建好它（createdb）。",
        "The server has no such database: {where}. Check the database name, or ask the administrator to create it (createdb).",
    ),
    "fault.server_gone": (
        "与数据库服务器的连接断开了：{where}。正在重新连接；本次未保存，已填写的内容仍在，请稍后再保存。",
        "The connection to the database server was lost: {where}. Reconnecting; nothing was saved, what you typed is still here: save again shortly.",
    ),
    "fault.connection_lost": (
        "连接不到数据库：{where}。正在重新连接，连上后列表会自动刷新；在此期间保存会失败，已填写的内容不会丢。",
        "Cannot reach the database: {where}. Reconnecting; the lists refresh when it is back. Saving fails meanwhile; what you typed is kept.",
    ),
    "fault.reconnected": (
        "已重新连上数据库：{where}。",
        "Connected to the database again: {where}.",
    ),
    "fault.database": (
        "数据库出错（{what}）：{where}；本次未保存。",
        "A database error ({what}): {where}. Nothing was saved.",
    ),
    "fault.bug": (
        "程序出错（{what}），本次未保存；请把此信息告诉维护人员。",
        "A program error ({what}); nothing was saved. Please tell whoever maintains deskapp.",
    ),
    # --- the file refused before it is opened (services.faults.DatabaseRefused); nothing was changed
    "file.missing": (
        "找不到数据库文件：{where}。请检查路径（--db、DESKAPP_DATABASE_URL 或 config.toml 中的 database_url）；未作任何改动。",
        "There is no database file at {where}. Check the path (--db, DESKAPP_DATABASE_URL or database_url in config.toml). Nothing was changed.",
    ),
    "file.empty": (
        "数据库文件是空的（0 字节）：{where}，未作任何改动。若要新建数据库，请指定一个尚不存在的文件路径；若它本应存有前台记录：{backup}",
        "The database file is empty (0 bytes): {where}; it was left as it is. To start a new database, give a path where no file exists yet. If it should hold the desk's records: {backup}",
    ),
    "file.not_a_file": (
        "{where} 不是文件（是文件夹或设备），请给出数据库文件的路径；未作任何改动。",
        "{where} is not a file (a folder or a device); give the path of the database file. Nothing was changed.",
    ),
    "file.read_only": (
        "数据库文件只读：{where}。前台需要写入它，请检查该文件的写权限；未作任何改动。",
        "The database file is read-only: {where}. The desk writes to it; check the file's permissions. Nothing was changed.",
    ),
    "file.folder_read_only": (
        "数据库所在的文件夹只读：{folder}。SQLite 要在数据库 {where} 旁写入 -wal、-shm 文件，请为该文件夹开放写权限；未作任何改动。",
        "The folder holding the database is read-only: {folder}. SQLite writes its -wal and -shm files beside {where}; make the folder writable. Nothing was changed.",
    ),
    "file.unreadable": (
        "无法读取数据库文件 {where}（{reason}）。请检查路径和权限；未作任何改动。",
        "Cannot read the database file {where} ({reason}). Check the path and the permissions. Nothing was changed.",
    ),
    "file.cannot_create": (
        "无法在 {folder} 新建数据库 {where}（{reason}）。请检查路径和文件夹的写权限。",
        "Cannot create the database {where} in {folder} ({reason}). Check the path and that the folder is writable.",
    ),
    # --- the schema check and upgrade (storage.migrate.SchemaError); the database was not changed
    "schema.foreign": (
        "数据库里已有别的表，但不是 deskapp 的数据库：{where}。未作任何改动；请检查路径。",
        "This file holds tables but is not a deskapp database: {where}. It was left as it is; check the path.",
    ),
    "schema.newer": (
        "数据库结构版本 {revision} 比本程序新（本程序为 {head}），是较新的 deskapp 写的：{where}。请先升级 deskapp；未作任何改动。",
        "The database's schema revision {revision} is newer than this deskapp's ({head}); a newer deskapp wrote it: {where}. Upgrade deskapp first. Nothing was changed.",
    ),
    "schema.unknown": (
        "数据库结构版本 {revision} 是本程序（{head}）不认识的旧版本或未知版本，无法升级：{where}。请找维护人员；未作任何改动。",
        "The database's schema revision {revision} is an older or unknown one this deskapp ({head}) cannot upgrade: {where}. Ask whoever maintains deskapp. Nothing was changed.",
    ),
    "schema.backup_failed": (
        "升级前无法写入备份 {backup}（{what}），因此没有升级：{where}。请检查文件夹 {folder} 的写权限和磁盘空间；数据库未作改动。",
        "Could not write the backup {backup} before upgrading ({what}), so nothing was upgraded: {where}. Check that the folder {folder} is writable and has space. The database was not changed.",
    ),
    "schema.foreign_keys": (
        "升级后外键检查未通过（{count} 处），已撤销升级：{where}。请找维护人员；数据库未作改动。",
        "The foreign key check failed after the upgrade ({count} rows), so the upgrade was undone: {where}. Ask whoever maintains deskapp. The database was not changed.",
    ),
}
