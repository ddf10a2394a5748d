"""danvan: software for "dân vận chính quyền" in Vietnamese local government."""
