"""Database and file faults, as a person at the desk or the command line reads them."""

MESSAGES: dict[str, tuple[str, str]] = {
    "fault.busy": (
        "数据库正忙（另一台终端正在写入），请稍后重试；本次未保存。数据库：{where}",
        "The database is busy (another terminal is writing); try again. Nothing was saved. Database: {where}",
    ),
    "fault.read_only": (
        "数据库只读，无法写入：{where}。请检查该文件及其所在文件夹的写权限；本次未保存。",
        "The database is read-only: {where}. Check that the file and its folder are writable. Nothing was saved.",
    ),
    "fault.disk_full": (
        "磁盘已满，无法写入：{where}。请腾出空间后重试；本次未保存。",
        "The disk is full: {where}. Free some space and try again. Nothing was saved.",
    ),
    "fault.malformed": (
        "数据库文件已损坏或不是数据库：{where}。请停止使用，并用同一文件夹中最新的 .bak 备份恢复。",
        "The database file is damaged or not a database: {where}. Stop using it and restore the newest .bak backup beside it.",
    ),
    "fault.cannot_open": (
        "无法打开数据库：{where}。请检查路径是否存在、文件夹是否可写。",
        "Cannot open the database: {where}. Check that the path exists and its folder is writable.",
    ),
    "fault.io": (
        "读写数据库时出现磁盘错误：{where}。请检查磁盘后重试；本次未保存。",
        "A disk error while reading or writing the database: {where}. Check the disk and try again. Nothing was saved.",
    ),
    "fault.unreachable": (
        "连接不到数据库服务器：{where}。请检查网络和服务器后重试。",
        "Cannot reach the database server: {where}. Check the network and the server, then try again.",
    ),
    "fault.database": (
        "数据库出错（{what}）：{where}；本次未保存。",
        "A database error ({what}): {where}. Nothing was saved.",
    ),
    "fault.bug": (
        "程序出错（{what}），本次未保存；请把此信息告诉维护人员。",
        "A program error ({what}); nothing was saved. Please tell whoever maintains deskapp.",
    ),
}
