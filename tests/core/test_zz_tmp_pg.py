def test_big(client, make_user):
    a = make_user("admin")
    for p in ["/api/v1/users/99999999999", "/api/v1/users/99999999999999999999999", "/api/v1/meetings/99999999999"]:
        r = client.get(p, headers=a.headers); print(p, r.status_code)
    from core.pagination import encode_cursor
    for c in [encode_cursor(10**12), encode_cursor(10**30), encode_cursor("abc"), encode_cursor(1.5)]:
        r = client.get("/api/v1/users", params={"cursor": c}, headers=a.headers); print(c, r.status_code)
