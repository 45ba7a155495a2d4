async def test_a_signed_in_user_can_create_and_read_a_session(user):
    created = await user.post("/api/sessions", json={"name": "first"})
    assert created.status_code == 201
    fetched = await user.get(f"/api/sessions/{created.json()['id']}")
    assert fetched.status_code == 200
    assert fetched.json()["name"] == "first"
