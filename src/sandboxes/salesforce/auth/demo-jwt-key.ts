/**
 * THE SALESFORCE SANDBOX'S DEMO KEY PAIR: NOT A SECRET, NEVER A REAL ONE.
 *
 * Generated once for the local sandbox and published with it, so the JWT bearer flow can be tried
 * and tested without making keys: the public key is registered on the sandbox's demo client
 * (`DEMO_CLIENT`), and anyone can sign assertions with the private key. Never register this
 * public key on a real connected app, and never use this private key for a real org.
 */

/** PKCS#8 private key: sign JWT bearer assertions for the sandbox's demo client with it. */
export const DEMO_JWT_PRIVATE_KEY_PEM = `-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCyG6490ZU1RNv9
Fm/b10ZJ3x/UU/zpX2g90ZOOAdXq3ktQu6RwwWl3b7T2GVTLEti9dFpF8oQep7g7
dS7T0hfoqh03HEt+0FM34Fu7uHtHDuzedJKDqm13kgROP59/qbgZQ7z4eH5EYMVR
eRV4H/rTTAiaFb6py1/nrBKYiyUqEJPjeNeacVhp+PDZKKuXo9PpJnYj9lI9mmWo
S0v942sgud/mAqA7H7O9VQvQe0iz4HFGuI6yuVThw1DpfIXhPupCHr5Q14X1hrQZ
0IwBB705pBwrRbX9saV2pJmjkEi6dbyaCL87eRX4Sj4EKuJTOxNoW+Vlf828/Uvb
zbaSeRmdAgMBAAECggEADWwunnQMBZ6x4YnuVigMIQcStAK8Xa4WAgqoTxxuTawB
Cw2JIAJDe3/MqHtSO5epA+Yf44OaV2EWbkyvgcEkkiE34G5ediknDF/5KdWGXN2Q
Fle8rvWKGGfFsUv0Lj/RIv5K4ILcKTUNyc0RRCNM2N2zDEG1Q8CS8reyExLxcxD6
kMZgsb9cq9eWueYzFT8Pl+ojAZzUdSNSCE/S/D6L4FoUOsAv310jUiXFb3Tnli+r
0gT7TSjW8KlFuOLYfRRYT2Q2vrQT3tnP0spRA1ZlQymPQ+ps1AhsnHWr0qIwkfEG
ShvVB8XLEYEApe+Hw6VuM7iSW8lA08sUzPpAR0tFAQKBgQDcaZnhUtX0VaBm8mN+
cx7IhWmGtWfd3phh2dwuwM/EM1wMBAf6oAq6VjQ6MO/lVD2YbtEgphGo1rabP+Hi
MbCvyZQdf6QjLTYHva0Yex0Amy8NRx9040f7/VQYcnPU+WD65DtXFqwjy/ymfKcQ
sFaGLjl6ZLWro0XIuKBe5t/KQQKBgQDO3X7kcWGGOfZxQXsOlx0TvGKlvT8YeVmn
kFinyG0pCB1EKRJNToZmVvOkhGslbeBsbRZ6HnpdiwNBmgZhIwv0GJ/fVM/xEOWa
we4S+jUjEAf7EQ1jVzLyC5IcGlsopHBVHU4mszF1CMtUTlWm3Y6R1RK1anGs57QP
fxK9O8SgXQKBgG4L54GBi0NXsSNVJ+nNbnQtcBeK4RX8elZ4oJ9TMyjBf9ab+KPg
XhrUyXS4VD5KxgoiYhWL9Ms4kKmIxq3Zo17RJTtpLDlH7G8G+7J6XWudD2vws7r3
c0xUGjWuhzixXgNGCn6b2kxxH268U+lYMYsC7z21pKLSfRgPXjqjyN5BAoGAb2HV
i/z8bMBS0EJYls+IqXK6jtDp4yybuFxBT/3bwMcMswGGSDeqp/nTb9aYtmuF9ft6
qcA1VJ6f3zemjbDII+MKWb6ZxAu8BOq8XF16NOnR0j4pPj7aQHc4cYdDZAu+LCX+
SVocnA5jJH6VIaaTuDPIwgORN27+hYV/OoKu6UUCgYEAq10P/SuvHxi+HUva+7q+
MiSWnop+lTrNBG87cHghsjA/8VLHP5tKANFJ7RVt7Gl4DwSipwNmwb1gVJYxHftG
Hy1oboMKfaTfN4CnODRu6pl6xZDrVltFO2rVxm/utoSvjUGANAHyqOMt+axvZJzd
IhNKAvtyek4y51NDalEs1F4=
-----END PRIVATE KEY-----
`;

/** SPKI public key of {@link DEMO_JWT_PRIVATE_KEY_PEM}, registered on the demo client. */
export const DEMO_JWT_PUBLIC_KEY_PEM = `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAshuuPdGVNUTb/RZv29dG
Sd8f1FP86V9oPdGTjgHV6t5LULukcMFpd2+09hlUyxLYvXRaRfKEHqe4O3Uu09IX
6KodNxxLftBTN+Bbu7h7Rw7s3nSSg6ptd5IETj+ff6m4GUO8+Hh+RGDFUXkVeB/6
00wImhW+qctf56wSmIslKhCT43jXmnFYafjw2Sirl6PT6SZ2I/ZSPZplqEtL/eNr
ILnf5gKgOx+zvVUL0HtIs+BxRriOsrlU4cNQ6XyF4T7qQh6+UNeF9Ya0GdCMAQe9
OaQcK0W1/bGldqSZo5BIunW8mgi/O3kV+Eo+BCriUzsTaFvlZX/NvP1L2822knkZ
nQIDAQAB
-----END PUBLIC KEY-----
`;
