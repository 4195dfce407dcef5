"""The participant's own pages (/mina-sidor, issue 17): sign-in with e-ID or a single-use link,
a session of their own, and the pages in Swedish, English and Arabic."""
