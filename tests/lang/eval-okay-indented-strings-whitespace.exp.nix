[ "trailing-spaces-line-next   \n\nend\n" ]
